// The kit's own tests (suite.mjs) under vitest, copied into a copy of examples/ivr as
// test/<runner>/kit.test.mjs beside suite.mjs (scripts/newcomer-test.sh): the imports are relative to there.
import { afterAll, beforeAll, describe, test } from 'vitest';
import { kitSuite } from './suite.mjs';
import { startIvr } from '../../app.mjs';

kitSuite({ describe, test, before: beforeAll, after: afterAll }, { startIvr });
