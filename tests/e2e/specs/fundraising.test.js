// A campaign opened by the admin, a donor pledging on a phone, finance recording the
// payment by its reference code, and the campaign page showing the new total.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, DESKTOP, launchBrowser, PHONE, signIn, startServer } from '../harness.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a pledge made on a phone is paid and counted on the campaign page', async () => {
  // The admin opens this year's 双日捐.
  const admin = await browser.newContext(DESKTOP);
  const adminPage = await admin.newPage();
  await signIn(adminPage, server.base, 'admin');
  await adminPage.goto(`${server.base}/admin/campaigns`);
  await adminPage.fill('input[name=name]', '2026年慈善救助双日捐');
  await adminPage.fill('input[name=starts_on]', '2026-11-01');
  await adminPage.fill('input[name=ends_on]', '2026-12-31');
  await adminPage.fill('input[name=target_yuan]', '1000000');
  await Promise.all([adminPage.waitForNavigation(), adminPage.click('text=创建（草稿）')]);
  await Promise.all([adminPage.waitForNavigation(), adminPage.click('button:has-text("开启")')]);
  assert.ok(await adminPage.isVisible('text=进行中'));
  await adminPage.screenshot({ path: join(artifacts, 'admin-campaigns.png'), fullPage: true });
  await admin.close();

  // A donor finds it on the home page and pledges from a phone.
  const donor = await browser.newContext(PHONE);
  const phone = await donor.newPage();
  await phone.goto(server.base);
  await Promise.all([phone.waitForNavigation(), phone.click('a:has-text("我要认捐")')]);
  await phone.click('text=参考：两天工资是多少？');
  await phone.fill('#income', '4400');
  assert.equal(await phone.inputValue('#amount'), '400.00', 'two days of 4400 a month');
  await phone.fill('#amount', '200');
  await phone.fill('input[name=name]', '王丽华');
  await phone.fill('input[name=phone]', '13904321234');
  await phone.check('input[name=public_name_consent]');
  await phone.fill('input[name=public_name]', '王女士');
  await phone.screenshot({ path: join(artifacts, 'pledge-form-phone.png'), fullPage: true });
  await Promise.all([phone.waitForNavigation(), phone.click('text=提交认捐')]);
  assert.match(new URL(phone.url()).pathname, /^\/p\//);
  const code = (await phone.textContent('.code')).trim();
  assert.match(code, /^JL[0-9A-Z]{8}$/);
  assert.ok(await phone.isVisible('text=已认捐，待付款'));
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'the pledge page fits the phone');
  await phone.screenshot({ path: join(artifacts, 'pledge-done-phone.png'), fullPage: true });

  // Finance records the transfer that quotes the code.
  const finance = await browser.newContext(DESKTOP);
  const desk = await finance.newPage();
  await signIn(desk, server.base, 'finance');
  await desk.goto(`${server.base}/finance/payments`);
  await desk.fill('input[name=amount_yuan]', '200');
  await desk.fill('input[name=payer_reference]', '王丽华 建设银行');
  await desk.fill('input[name=reference_code]', code.toLowerCase());
  await Promise.all([desk.waitForNavigation(), desk.click('button:has-text("登记")')]);
  assert.ok(await desk.isVisible('text=已按认捐编号自动匹配'));
  await desk.screenshot({ path: join(artifacts, 'finance-payments.png'), fullPage: true });
  await finance.close();

  // The donor's page says paid; the campaign page shows the money and the honour roll.
  await phone.reload();
  assert.ok(await phone.isVisible('text=已全部到账'));
  await phone.goto(server.base);
  await Promise.all([phone.waitForNavigation(), phone.click('a:has-text("我要认捐")')]);
  assert.equal((await phone.textContent('.figures .big')).trim(), '¥200.00');
  assert.ok(await phone.isVisible('.honour >> text=王女士'));
  await phone.screenshot({ path: join(artifacts, 'campaign-phone.png'), fullPage: true });
  await donor.close();
});

test('a pledge with a wrong 身份证号 is refused with the field named', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(server.base);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("我要认捐")')]);
  await page.fill('#amount', '50');
  await page.fill('input[name=name]', '李四');
  await page.fill('input[name=phone]', '13904321234');
  await page.fill('input[name=id_number]', '220204199003078815');
  await Promise.all([page.waitForNavigation(), page.click('text=提交认捐')]);
  assert.equal((await page.textContent('#id_number-error')).trim(), '身份证号校验位不正确，请核对');
  assert.equal(await page.inputValue('input[name=id_number]'), '220204199003078815', 'kept as typed');
  await context.close();
});
