// Checks in Debian's Chromium that the examination pages work under the
// console's Content-Security-Policy: the inline SVG charts are painted with
// their presentation attributes (fill, stroke) and cause no CSP report, and
// a running job's page reloads itself through <meta http-equiv="refresh">.
// Prints one PASS or FAIL line per check for tests/run.
//   node exam.mjs BASE_URL USER PASSWORD APP_CODE QUEUED_JOB_ID
import { chromium } from 'playwright-core';

const [base, user, password, app, job] = process.argv.slice(2);
let failures = 0;

function report(name, ok, why) {
  if (ok) {
    console.log(`PASS ${name}`);
  } else {
    failures++;
    console.log(`FAIL ${name}: ${why}`);
  }
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });

  await page.goto(`${base}/login`);
  await page.fill('input[name="name"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(),
                     page.click('form[action="/login"] button[type="submit"]')]);

  await page.goto(`${base}/apps/${app}`);
  const bar = page.locator('svg.chart rect').first();
  const fill = await bar.evaluate((el) => getComputedStyle(el).fill);
  report('browser_exam_svg_fill_painted', fill === 'rgb(11, 92, 173)',
         `the first bar's computed fill is ${fill}`);
  const line = page.locator('svg.chart polyline').first();
  const stroke = await line.evaluate((el) => getComputedStyle(el).stroke);
  report('browser_exam_svg_stroke_painted', stroke === 'rgb(11, 92, 173)',
         `the grade line's computed stroke is ${stroke}`);
  const box = await page.locator('svg.chart').first().boundingBox();
  report('browser_exam_svg_has_size', box !== null && box.width > 100 && box.height > 30,
         `the chart's box is ${JSON.stringify(box)}`);

  // A queued job's page reloads every 2 seconds: count the loads in 5 s.
  let loads = 0;
  page.on('load', () => { loads++; });
  await page.goto(`${base}/jobs/${job}`);
  await page.waitForTimeout(5000);
  report('browser_exam_job_page_reloads', loads >= 2,
         `the job page loaded ${loads} times in 5 s`);

  report('browser_exam_no_csp_violations', cspViolations.length === 0,
         cspViolations.join(' | '));
} catch (e) {
  report('browser_exam_run', false, String(e).split('\n')[0]);
} finally {
  await browser.close();
}
process.exit(failures === 0 ? 0 : 1);
