// Drives Debian's Chromium (headless, JavaScript off) through the console of a
// running simpul serve, the way a staff member on a phone would: log in, find an
// application, edit it, and see the change in its history. Prints one PASS or
// FAIL line per step for tests/run.
//   node console.mjs BASE_URL USER PASSWORD SCREENSHOT_DIR
import { chromium } from 'playwright-core';

const [base, user, password, shots] = process.argv.slice(2);
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
  // A small phone screen, and no JavaScript: the console must work without it.
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
  });
  const page = await context.newPage();
  const cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });

  await page.goto(`${base}/apps`);
  report('browser_login_redirect', /\/login/.test(page.url()), `landed on ${page.url()}`);

  await page.fill('input[name="name"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type="submit"]')]);
  report('browser_login', !/\/login/.test(page.url()), `still on ${page.url()}`);

  await page.goto(`${base}/`);
  const dashboard = await page.textContent('main');
  report('browser_dashboard_counts', /121/.test(dashboard), 'dashboard does not show 121 applications');
  await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });

  await page.goto(`${base}/apps?q=pengaduan`);
  const rows = await page.locator('main table tbody tr').count();
  report('browser_search_filters', rows > 0 && rows < 121, `${rows} rows for q=pengaduan`);
  await page.screenshot({ path: `${shots}/apps.png`, fullPage: true });

  await page.goto(`${base}/apps/web-setda/edit`);
  await page.fill('input[name="name"]', 'Website Setda (diubah lewat peramban)');
  await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type="submit"]')]);
  const appPage = await page.textContent('main');
  report('browser_edit_saved', /diubah lewat peramban/.test(appPage), `page after save: ${page.url()}`);
  report('browser_history_shown', /Website Sekretariat Daerah Kota Metro/.test(appPage),
         'the old name is not in the history table');

  await page.goto(`${base}/apps/web-setda/edit`);
  await page.fill('input[name="url"]', 'ftp://nope');
  await Promise.all([page.waitForNavigation(), page.click('form.record-form button[type="submit"]')]);
  const error = await page.locator('.field-error').first().textContent().catch(() => '');
  report('browser_field_error_shown', /URL/i.test(error || ''), `field error text: '${error}'`);
  await page.screenshot({ path: `${shots}/edit-error.png`, fullPage: true });

  report('browser_no_csp_violations', cspViolations.length === 0, cspViolations.join(' | '));
} catch (e) {
  report('browser_run', false, e.message.split('\n')[0]);
} finally {
  await browser.close();
}
process.exit(failures === 0 ? 0 : 1);
