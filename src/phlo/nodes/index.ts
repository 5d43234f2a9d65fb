// Every flow component, in one list: the validator and the runner find a
// node's component here and nowhere else.
import type { NodeType } from '../phlo-document.ts';
import type { NodeComponent } from '../phlo-node.ts';
import { branch } from './branch.ts';
import { callForward } from './call-forward.ts';
import { conferenceBridge } from './conference-bridge.ts';
import { counter } from './counter.ts';
import { getInput } from './get-input.ts';
import { hangup } from './hangup.ts';
import { httpRequest } from './http-request.ts';
import { initiateCall } from './initiate-call.ts';
import { ivrMenu } from './ivr-menu.ts';
import { multiPartyCall } from './multi-party-call.ts';
import { playAudio } from './play-audio.ts';
import { recordAudio } from './record-audio.ts';
import { sendSms } from './send-sms.ts';
import { start } from './start.ts';
import { timeCondition } from './time-condition.ts';

const ALL: NodeComponent[] = [start, ivrMenu, getInput, initiateCall, callForward, playAudio, recordAudio, multiPartyCall, conferenceBridge, httpRequest, branch, counter, sendSms, hangup, timeCondition];

export const components: Record<NodeType, NodeComponent> = Object.fromEntries(ALL.map((c) => [c.type, c])) as Record<NodeType, NodeComponent>;
