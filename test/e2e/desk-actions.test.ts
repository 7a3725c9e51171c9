import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { e2eConfig } from './support/config.js';
import { PASSWORD, webWorld, type WebWorld } from './support/web-world.js';

describe.skipIf(!HAVE_CHROMIUM)('agent desktop actions in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => chrome?.close());
  afterEach(async () => world?.close());

  /** Run the virtual clock until the agent is in `presence` (at most `maxMs` of virtual time). */
  async function until(agentId: string, presence: string, maxMs = 60_000): Promise<void> {
    for (let t = 0; t < maxMs && world.engine.agentSnapshot(agentId)?.presence !== presence; t += 250) await world.clock.runFor(250);
    expect(world.engine.agentSnapshot(agentId)?.presence).toBe(presence);
  }

  async function loggedInDesk() {
    await world.user('alice', { profile: 'agent', agentId: '1001' });
    const { page } = await chrome.page();
    await logIn(page, world.url, 'alice');
    await seeText(page, 'agent-state', 'Logged out');
    await page.getByLabel('Line (phone number)').fill('1001');
    await page.getByRole('button', { name: 'Log in on this line' }).click();
    await seeText(page, 'agent-state', /Ready|Paused/);
    return page;
  }

  it('offers the configured pause reasons and sends the one picked when the agent pauses', async () => {
    world = await webWorld({ ...e2eConfig(), pause_reasons: ['coaching', 'lunch'] });
    const desk = await loggedInDesk();
    if (world.engine.agentSnapshot('1001')?.presence === 'paused') await desk.getByRole('button', { name: 'Ready' }).click();
    await seeText(desk, 'agent-state', 'Ready');

    const select = desk.getByLabel('Pause reason');
    await select.locator('option', { hasText: 'coaching' }).waitFor({ state: 'attached', timeout: 5000 });
    expect(await select.locator('option').allTextContents()).toEqual(['coaching', 'lunch']);
    await select.selectOption('lunch');
    await desk.getByRole('button', { name: 'Pause', exact: true }).click();

    await seeText(desk, 'agent-state', 'Paused (lunch)');
    expect(world.engine.agentSnapshot('1001')).toMatchObject({ presence: 'paused', pauseReason: 'lunch' });
  });

  it('answers a simulated call when the agent clicks Answer while its phone rings', async () => {
    // Arrange: Alice's simulated phone does not answer by itself; a caller on number B reaches queue 1.
    world = await webWorld(e2eConfig());
    const desk = await loggedInDesk();
    if (world.engine.agentSnapshot('1001')?.presence === 'paused') await desk.getByRole('button', { name: 'Ready' }).click();
    await seeText(desk, 'agent-state', 'Ready');
    world.pbx.setPhone('1001', { behavior: 'never' });
    world.pbx.placeCall({ to: '2000', from: '+15550100' });
    await until('1001', 'ringing');
    await seeText(desk, 'agent-state', 'Ringing');
    // Ten seconds later (the queue gives up after 15 s) it still rings: nobody answered for her.
    await world.clock.runFor(10_000);
    expect(world.engine.agentSnapshot('1001')?.presence).toBe('ringing');

    // Act: the answer reaches the server before the virtual clock moves on.
    const answered = desk.waitForResponse((r) => r.url().endsWith('/agents/me/answer'));
    await desk.getByRole('button', { name: 'Answer' }).click();
    expect((await answered).status()).toBe(200);
    await until('1001', 'oncall', 2_000);

    // Assert
    await seeText(desk, 'agent-state', 'On call');
    await seeText(desk, 'call-from', '+15550100');
    expect(await desk.getByRole('button', { name: 'Answer' }).count()).toBe(0);
  });

  it('lists the callback requests of the agent\'s queues, takes one, and says in plain words when another agent holds one', async () => {
    // Arrange: an admin creates a list on queue 1 with two requests; agent 1002 already holds Bob's.
    world = await webWorld(e2eConfig());
    await world.user('root', { profile: 'admin' });
    const login = await fetch(`${world.url}auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: PASSWORD }) });
    const token = ((await login.json()) as { session: string }).session;
    const call = async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${world.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return (await res.json()) as T;
    };
    const list = await call<{ uuid: string }>('POST', 'callbacks/lists', { name: 'Renewals', queueId: 'q1' });
    const [ada, bob] = await call<[{ uuid: string }, { uuid: string }]>('POST', `callbacks/lists/${list.uuid}/requests`, [
      { firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '0123456789', description: 'contract renewal' },
      { firstName: 'Bob', lastName: 'Babbage', phoneNumber: '0987654321' },
    ]);
    await call('POST', `agents/1002/callbacks/${bob.uuid}/take`);

    // Act: Alice opens her desk.
    const desk = await loggedInDesk();
    const rowOf = (uuid: string) => desk.locator(`tr[data-callback="${uuid}"]`);

    // Assert: both requests are listed, Bob's held by agent 1002.
    await rowOf(ada.uuid).filter({ hasText: 'Ada Lovelace' }).waitFor({ timeout: 5000 });
    await rowOf(bob.uuid).filter({ hasText: 'agent 1002' }).waitFor({ timeout: 5000 });
    await expect(desk.getByRole('heading', { name: 'Renewals' }).count()).resolves.toBe(1);

    // Act: she takes Ada's.
    await rowOf(ada.uuid).getByRole('button', { name: 'Take' }).click();

    // Assert: held by her, on the server too; Release and Start offered.
    await rowOf(ada.uuid).getByTestId('callback-holder').filter({ hasText: 'you' }).waitFor({ timeout: 5000 });
    await rowOf(ada.uuid).getByRole('button', { name: 'Release' }).waitFor({ timeout: 5000 });
    await rowOf(ada.uuid).getByRole('button', { name: 'Start' }).waitFor({ timeout: 5000 });
    const lists = await call<{ callbacks: { uuid: string; agentId: string | null }[] }[]>('GET', 'agents/1001/callbacks');
    expect(lists[0]?.callbacks.find((r) => r.uuid === ada.uuid)?.agentId).toBe('1001');

    // Act + Assert: taking Bob's is refused in plain words.
    await rowOf(bob.uuid).getByRole('button', { name: 'Take' }).click();
    await seeText(desk, 'callback-error', 'Another agent has already taken this callback request');
  });
});
