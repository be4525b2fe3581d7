// Passwords never leave pgtop in clear text. Like psql's \password, pgtop
// turns a new password into a SCRAM-SHA-256 verifier on this machine and
// sends only that (CREATE/ALTER ROLE … PASSWORD '<verifier>'); the server
// stores a string in this format as it is. So the clear password is not in
// the server log (log_statement), pg_stat_statements or pg_stat_activity.
//
// Verifier (RFC 5802 and 7677, PostgreSQL's pg_authid.rolpassword format):
//   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>   (base64)
//   SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations)
//   StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key"))
//   ServerKey = HMAC(SaltedPassword, "Server Key")
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default scram_iterations. */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export interface ScramKeys {
  saltedPassword: Buffer;
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/**
 * SASLprep (RFC 4013) as libpq and node-pg apply it before hashing: non-ASCII
 * spaces become spaces, "mapped to nothing" characters go, then NFKC. The
 * prohibited-character checks are left out as node-pg leaves them out;
 * pgtop refuses control characters in passwords before they get here.
 */
export function saslprep(password: string): string {
  const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
  // The class lists joiners and variation selectors one by one on purpose (RFC 3454 B.1): each is removed alone.
  // eslint-disable-next-line no-misleading-character-class
  const mappedToNothing = /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
  return password.replace(nonAsciiSpace, ' ').replace(mappedToNothing, '').normalize('NFKC');
}

export function scramKeys(password: string, salt: Buffer, iterations: number): ScramKeys {
  const saltedPassword = pbkdf2Sync(Buffer.from(saslprep(password), 'utf8'), salt, iterations, KEY_BYTES, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return { saltedPassword, clientKey, storedKey, serverKey };
}

export interface VerifierOptions {
  /** Default: 16 random bytes. Tests pass a fixed one. */
  salt?: Buffer;
  iterations?: number;
}

/** The SCRAM-SHA-256 verifier PostgreSQL stores for this password. */
export function scramVerifier(password: string, options: VerifierOptions = {}): string {
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface ParsedVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Reads a verifier back (to compare with the server's, or to check one is well formed); null when it is not one. */
export function parseScramVerifier(text: string): ParsedVerifier | null {
  const match = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!match) return null;
  return {
    iterations: Number(match[1]),
    salt: Buffer.from(match[2]!, 'base64'),
    storedKey: Buffer.from(match[3]!, 'base64'),
    serverKey: Buffer.from(match[4]!, 'base64'),
  };
}

/** A strong random password: 24 random bytes, 32 characters of base64url (letters, digits, - and _). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Why a typed password will not do, or null. */
export function passwordProblem(password: string): string | null {
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'a password cannot contain control characters';
  if (Array.from(password).length < 12) return 'use at least 12 characters (or leave it empty: pgtop generates a strong one)';
  return null;
}
