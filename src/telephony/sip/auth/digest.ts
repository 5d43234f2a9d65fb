// HTTP Digest as SIP uses it (RFC 3261 §22, RFC 2617, RFC 7616/8760):
// MD5 and SHA-256, qop=auth (or none, for old peers), computed from HA1 so
// a password never has to be kept. The client side answers a gateway's
// 401/407 challenge.
import { createHash } from 'node:crypto';
import { newSipToken } from '../../../ids.ts';
import { quote } from '../message/sip-syntax.ts';
import type { AuthParams } from '../message/sip-header-values.ts';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

const HASH: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

export const digestHash = (algorithm: DigestAlgorithm, s: string): string => createHash(HASH[algorithm]).update(s).digest('hex');

/** HA1 = H(username:realm:password): what a server keeps instead of the password. */
export const ha1 = (algorithm: DigestAlgorithm, username: string, realm: string, password: string): string => digestHash(algorithm, `${username}:${realm}:${password}`);

/** The algorithm a challenge or credentials name, or undefined when it is one we do not do (MD5-sess …). */
export function algorithmOf(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return 'MD5';
  const v = value.toUpperCase();
  return v === 'MD5' ? 'MD5' : v === 'SHA-256' ? 'SHA-256' : undefined;
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  ha1: string;
  method: string;
  uri: string;
  nonce: string;
  /** With qop=auth: the nonce count (8 hex digits) and client nonce. */
  qop?: { nc: string; cnonce: string };
}

/** request-digest (RFC 2617 §3.2.2.1). */
export function digestResponse(d: DigestInput): string {
  const ha2 = digestHash(d.algorithm, `${d.method}:${d.uri}`);
  return d.qop
    ? digestHash(d.algorithm, `${d.ha1}:${d.nonce}:${d.qop.nc}:${d.qop.cnonce}:auth:${ha2}`)
    : digestHash(d.algorithm, `${d.ha1}:${d.nonce}:${ha2}`);
}

export interface ClientCredentials {
  username: string;
  password: string;
}

/**
 * The Authorization / Proxy-Authorization value answering `challenge` for
 * `method uri`. `nc` counts the requests made with this nonce (1 first).
 * Undefined when the challenge is not Digest or asks for something we do
 * not do (an unknown algorithm, qop without "auth").
 */
export function answerChallenge(challenge: AuthParams, method: string, uri: string, creds: ClientCredentials, nc = 1): string | undefined {
  if (challenge.scheme.toLowerCase() !== 'digest') return undefined;
  const algorithm = algorithmOf(challenge.params.get('algorithm'));
  const realm = challenge.params.get('realm');
  const nonce = challenge.params.get('nonce');
  if (!algorithm || realm === undefined || nonce === undefined) return undefined;
  const qops = challenge.params.get('qop')?.split(',').map((q) => q.trim().toLowerCase());
  if (qops && !qops.includes('auth')) return undefined;
  const qop = qops ? { nc: nc.toString(16).padStart(8, '0'), cnonce: newSipToken() } : undefined;
  const response = digestResponse({ algorithm, ha1: ha1(algorithm, creds.username, realm, creds.password), method, uri, nonce, qop });
  // Parameter order is free (RFC 7616), but naive parsers look names up as
  // substrings ("nc" inside "nonce"): nc and qop first, nonce before cnonce.
  let out = `Digest username=${quote(creds.username)}, realm=${quote(realm)}`;
  if (qop) out += `, nc=${qop.nc}, qop=auth`;
  out += `, nonce=${quote(nonce)}, uri=${quote(uri)}, response=${quote(response)}`;
  if (qop) out += `, cnonce=${quote(qop.cnonce)}`;
  out += `, algorithm=${algorithm}`;
  const opaque = challenge.params.get('opaque');
  if (opaque !== undefined) out += `, opaque=${quote(opaque)}`;
  return out;
}
