import t from 'tap';
import { isComponentEnabled, parseComponentRules } from './rules';

void t.test('the most specific prefix wins and the trailing .* is optional', async (t) => {
  const rules = parseComponentRules([
    ['auth_basic.*', 'enabled'],
    ['auth_basic.HtPasswdStore', 'disabled'],
    ['DB_POOL', 'enabled'],
  ]);
  t.equal(isComponentEnabled(rules, 'auth_basic.BasicAuthenticator', 'builtin'), true);
  t.equal(isComponentEnabled(rules, 'auth_basic.HtPasswdStore', 'builtin'), false);
  t.equal(isComponentEnabled(rules, 'db_pool.PostgresBackend', 'builtin'), true, 'names are case-insensitive');
  t.equal(isComponentEnabled(rules, 'auth_digest.DigestAuthenticator', 'builtin'), false,
    'built-in plugins are off unless enabled');
  t.equal(isComponentEnabled(rules, 'core.LoginModule', 'core'), true, 'core is on unless disabled');
  t.equal(isComponentEnabled(rules, 'my_store.Store', 'environment'), true);
  t.equal(isComponentEnabled(rules, 'shared_thing.Store', 'shared'), false);
});

void t.test('a rule can disable a core component and a site plugin', async (t) => {
  const rules = parseComponentRules([['core.AboutHandler', 'disabled'], ['my_store', 'off']]);
  t.equal(isComponentEnabled(rules, 'core.AboutHandler', 'core'), false);
  t.equal(isComponentEnabled(rules, 'core.HealthHandler', 'core'), true);
  t.equal(isComponentEnabled(rules, 'my_store.Store', 'environment'), false);
});
