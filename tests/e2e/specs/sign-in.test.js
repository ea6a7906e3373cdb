// Each role signs in on the page and sees its own home; a wrong password is told plainly.
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

const ROLES = [
  ['admin', '慈善总会管理员工作台', '募捐活动'],
  ['finance', '财务工作台', '到账确认'],
  // Their pages come with later issues: the home page says so, with no empty panels.
  ['store', '阳光超市店员工作台', '正在建设中'],
  ['caseworker', '社区工作人员工作台', '正在建设中'],
  ['unit', '单位联络员工作台', '双日捐名单'],
  ['auditor', '审计工作台', '审计日志'],
  ['donor', '捐赠人工作台', '我的捐赠'],
];

for (const [username, heading, panel] of ROLES) {
  test(`${username} signs in and sees ${heading}`, async () => {
    const context = await browser.newContext(username === 'donor' ? PHONE : DESKTOP);
    const page = await context.newPage();
    await signIn(page, server.base, username);
    assert.equal(new URL(page.url()).pathname, '/home');
    assert.equal(await page.textContent('h1'), heading);
    assert.ok(await page.isVisible(`text=${panel}`), `${panel} panel is shown`);
    const cookies = await context.cookies();
    const access = cookies.find((c) => c.name === 'sunshine_access');
    assert.ok(access?.httpOnly, 'the session cookie is HttpOnly');
    await page.screenshot({ path: join(artifacts, `home-${username}.png`), fullPage: true });
    await context.close();
  });
}

test('a wrong password is told in Chinese and the sign-in page fits a phone', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await signIn(page, server.base, 'finance', 'wrong-password');
  assert.ok(await page.isVisible('text=用户名或密码错误'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no sideways scrolling on a phone');
  await page.screenshot({ path: join(artifacts, 'login-error-phone.png'), fullPage: true });
  await context.close();
});

test('signing out returns to the sign-in page and the home page is closed', async () => {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await signIn(page, server.base, 'auditor');
  await Promise.all([page.waitForNavigation(), page.click('text=退出')]);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.goto(`${server.base}/home`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await context.close();
});
