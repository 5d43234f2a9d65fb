// The architecture as a test: no import cycle in src/ and no import pointing
// up the layers (.dependency-cruiser.cjs says which layer each folder is).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cruise, format } from 'dependency-cruiser';

const require = createRequire(import.meta.url);

test('src/ has no import cycle and no import up the layers', async () => {
  const config = require('../.dependency-cruiser.cjs');
  const result = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } });
  if (typeof result.output === 'string') throw new Error(result.output);
  const { violations } = result.output.summary;
  const report = violations.length === 0 ? '' : String((await format(result.output, { outputType: 'err' })).output);
  assert.equal(violations.length, 0, report);
});
