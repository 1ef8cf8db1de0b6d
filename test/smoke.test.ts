import t from 'tap';
t.test('math', async (t) => { t.equal(1 + 1, 2); });
