// The SIP side of bench/sip.ts, in its own process so its CPU is measured
// alone: our stack on loopback UDP with the source guard in the path
// (loopback trusted, so the load is not rate-limited away). REGISTER: Digest
// (MD5, what SIPp 3.6 answers) for one endpoint, "alice", password "pw",
// then the registrar. INVITE: answered at once with a fixed SDP (signalling
// only: no media, no engine), as from a trusted carrier. Prints
// "SIP on <port>" once listening.
import { RealClock } from '../src/clock/clock.ts';
import { SipStack } from '../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../src/telephony/sip/transport/sip-transport.ts';
import { DigestServer } from '../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../src/telephony/sip/auth/digest.ts';
import { RequestAuthenticator } from '../src/telephony/sip/auth/request-authenticator.ts';
import { Registrar } from '../src/telephony/sip/registrar/registrar.ts';
import { registerHandler } from '../src/telephony/sip/registrar/register-handler.ts';
import { SourceGuard } from '../src/telephony/sip/security/source-guard.ts';
import { sdpBody } from '../src/telephony/sip/dialog/invite-session.ts';

const clock = new RealClock();
const guard = new SourceGuard({ clock, trusted: (a) => a === '127.0.0.1' });
const stack = new SipStack({ clock, publicAddress: '127.0.0.1', guard });
const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, stack.receive, stack.transportError);
stack.attach(transport);
const realm = 'switchboard.test';
const secrets = { MD5: ha1('MD5', 'alice', realm, 'pw') };
const digest = new DigestServer<string>({ realm, clock });
// The credentials port answers from memory here; the driver's reads a cached Endpoint row.
const auth = new RequestAuthenticator(digest, async (u) => (u === 'alice' ? { ha1: secrets, identity: u } : undefined), guard);
stack.handlers.register = registerHandler(stack, auth, new Registrar({ clock }));
const answer = sdpBody('v=0\r\no=switchboard 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n');
stack.handlers.invite = (call) => {
  call.ring();
  call.answer(answer);
};
console.log(`SIP on ${transport.local.port}`);
