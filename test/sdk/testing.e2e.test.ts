// The testing kit (`switchboard/testing`) imported as an application imports
// it, driving the example IVR (examples/ivr) on the virtual clock. The tests
// are in kit/suite.mjs, shared with vitest and jest (scripts/newcomer-test.sh).
import { after, before, describe, test } from 'node:test';
import { kitSuite } from './kit/suite.mjs';
import { startIvr } from '../../examples/ivr/app.mjs';

kitSuite({ describe, test, before, after }, { startIvr });
