// Compares the MDN HTTP Observatory's scan of each site with simpul's
// examination of the same site.
//   node compare_scan.mjs DIR SITE...
// DIR contains SITE.observatory.json (the output of `node src/scan.js SITE`)
// and SITE.simpul.json (the latest examination from simpul's API). For a
// site the Observatory grades it prints one PASS or FAIL line for the
// score, the grade and each test's result id and pass flag; for one it
// does not grade, one line saying whether simpul also left it ungraded.
import fs from "node:fs";

const [dir, ...sites] = process.argv.slice(2);

function read(path) {
  try {
    return JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (e) {
    return { readError: `${path}: ${e.message}` };
  }
}

function line(ok, name, why) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${why}`);
}

for (const site of sites) {
  const id = `compare_${site.replace(/\.test$/, "").replace(/[^a-z0-9]/g, "_")}`;
  const obs = read(`${dir}/${site}.observatory.json`);
  const simpul = read(`${dir}/${site}.simpul.json`);
  if (obs.readError || simpul.readError) {
    line(false, `${id}_results`, obs.readError ?? simpul.readError);
    continue;
  }
  if (!obs.scan) {
    line(simpul.grade === null, `${id}_not_graded`,
      `the Observatory did not grade it (${obs.error}), simpul gave ${simpul.grade}`);
    continue;
  }
  line(simpul.score === obs.scan.score, `${id}_score`,
    `simpul ${simpul.score}, Observatory ${obs.scan.score}`);
  line(simpul.grade === obs.scan.grade, `${id}_grade`,
    `simpul ${simpul.grade}, Observatory ${obs.scan.grade}`);
  for (const [name, t] of Object.entries(obs.tests)) {
    const mine = simpul.tests?.tests?.[name];
    line(mine?.result === t.result && mine?.pass === t.pass, `${id}_${name}`,
      `simpul ${mine?.result}/${mine?.pass}, Observatory ${t.result}/${t.pass}`);
  }
}
