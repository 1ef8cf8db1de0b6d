import t from 'tap';
import { isUnderPath, normalizeProtectedPath, parseRequireRule } from '../access-rule';

void t.test('protected paths cover whole segments', async (t) => {
  t.equal(isUnderPath('/login', '/login'), true);
  t.equal(isUnderPath('/login/x', '/login'), true);
  t.equal(isUnderPath('/loginx', '/login'), false);
  t.equal(isUnderPath('/', '/login'), false);
  t.equal(isUnderPath('/anything/at/all', '/'), true);
  t.equal(normalizeProtectedPath('login/'), '/login');
  t.equal(normalizeProtectedPath('/'), '/');
  t.equal(normalizeProtectedPath('//'), '/');
});

void t.test('require rules', async (t) => {
  t.same(parseRequireRule('valid-user'), { kind: 'valid-user' });
  t.same(parseRequireRule(' user  alice bob '), { kind: 'user', users: ['alice', 'bob'] });
  t.same(parseRequireRule('group developers'), { kind: 'group', groups: ['developers'] });
  for (const bad of ['', 'user', 'group', 'valid-user alice', 'anyone']) {
    t.throws(() => parseRequireRule(bad, '/env/conf/trac.ini'),
      { code: 'GH_ERR_CONFIG_VALUE', message: /\/env\/conf\/trac.ini \[auth-basic\] require/ }, bad);
  }
});
