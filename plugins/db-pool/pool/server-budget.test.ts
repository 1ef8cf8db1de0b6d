import t from 'tap';
import { type IdleConnectionHolder, ServerBudget, SlotTimeoutError } from './server-budget';

const nobody: IdleConnectionHolder = { closeOneIdle: () => false };

void t.test('slots up to the smallest limit, then waiters in arrival order', async (t) => {
  const budget = new ServerBudget('postgres://db:5432', 10);
  budget.setLimit({}, 3);
  budget.setLimit({}, 2);
  t.equal(budget.max, 2, 'the smallest limit is the budget');
  t.same(budget.distinctLimits(), [2, 3]);

  await budget.take(nobody, 1000);
  await budget.take(nobody, 1000);
  t.equal(budget.inUse, 2);
  const order: string[] = [];
  const first = budget.take(nobody, 1000).then(() => order.push('first'));
  const second = budget.take(nobody, 1000).then(() => order.push('second'));
  t.equal(budget.waiting, 2);
  budget.give();
  budget.give();
  await Promise.all([first, second]);
  t.same(order, ['first', 'second']);
  t.equal(budget.inUse, 2);
});

void t.test('a waiter gives up after its time-out', async (t) => {
  const budget = new ServerBudget('mysql://db:3306', 1);
  await budget.take(nobody, 1000);
  const error = await budget.take(nobody, 30).catch((caught: unknown) => caught);
  t.ok(error instanceof SlotTimeoutError);
  t.match((error as Error).message, /all 1 connections allowed to mysql:\/\/db:3306 stayed busy/);
  t.equal(budget.waiting, 0, 'it left the queue');
  budget.give();
  t.equal(budget.inUse, 0);
});

void t.test('a waiter asks the other holders to close an idle connection', async (t) => {
  const budget = new ServerBudget('postgres://db:5432', 1);
  await budget.take(nobody, 1000);
  let asked = 0;
  const holder: IdleConnectionHolder = {
    closeOneIdle() {
      asked += 1;
      // Closing a connection gives its slot back, as a connection's close does.
      budget.give();
      return true;
    },
  };
  budget.holders.add(holder);
  const requester: IdleConnectionHolder = { closeOneIdle: () => t.fail('the requester is not asked') };
  budget.holders.add(requester);
  await budget.take(requester, 1000);
  t.equal(asked, 1);
  t.equal(budget.inUse, 1);
});

void t.test('a limit removed lets waiters in', async (t) => {
  const budget = new ServerBudget('postgres://db:5432', 5);
  const tight = {};
  budget.setLimit(tight, 1);
  budget.setLimit({}, 4);
  await budget.take(nobody, 1000);
  const waiting = budget.take(nobody, 1000);
  budget.removeLimit(tight);
  await waiting;
  t.equal(budget.inUse, 2);
  t.equal(budget.max, 4);
});
