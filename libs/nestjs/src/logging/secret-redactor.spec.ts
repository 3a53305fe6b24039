import { REDACTED, SecretRedactor } from './secret-redactor.js';

const SECRET = 'Sup3r-S3cret-Value_42';

describe('SecretRedactor', () => {
  it('masks known secret keys at any depth, in any spelling', () => {
    const redactor = new SecretRedactor();
    const input = {
      connection: 'deribit',
      client_secret: 'a',
      params: { clientSecret: 'b', signature: 'c', nested: [{ access_token: 'd', refreshToken: 'e', accessToken: 'f' }] },
      auth: { refresh_token: 'g', password: 'h', secret: 'i', token: 'j', DERIBIT_CLIENT_SECRET: 'k' },
      code: 'UNAUTHORIZED',
      closeCode: 1006,
    };
    const out = redactor.redact(input);
    expect(JSON.stringify(out)).not.toMatch(/"[a-k]"/);
    expect(out).toMatchObject({ connection: 'deribit', code: 'UNAUTHORIZED', closeCode: 1006, client_secret: REDACTED });
    expect(out.params.nested[0]?.refreshToken).toBe(REDACTED);
    // Never mutates its input.
    expect(input.client_secret).toBe('a');
  });

  it('removes registered secret values wherever they appear in strings, keys and errors included', () => {
    const redactor = new SecretRedactor({ secrets: [SECRET, undefined, 'ab'] });
    expect(redactor.redactText(`auth failed for x:${SECRET}@host`)).toBe(`auth failed for x:${REDACTED}@host`);
    const error = new Error(`bad ${SECRET}`);
    const out = redactor.redact({ error, list: [`${SECRET}${SECRET}`] });
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect((out.error as unknown as { message: string }).message).toBe(`bad ${REDACTED}`);
    // Too short to register: would shred every line.
    expect(redactor.redactText('abc')).toBe('abc');
  });

  it('masks key=value and "key":"value" pairs inside text, not prose', () => {
    const redactor = new SecretRedactor();
    expect(redactor.redactText('GET /auth?client_secret=xyz&grant=1')).toBe(`GET /auth?client_secret=${REDACTED}&grant=1`);
    expect(redactor.redactText('{"access_token":"abc.def","expires_in":900}')).toBe(
      `{"access_token":"${REDACTED}","expires_in":900}`,
    );
    expect(redactor.redactText('refresh_token: "zzz"')).toBe(`refresh_token: "${REDACTED}"`);
    expect(redactor.redactText('UNAUTHORIZED: token expired; refreshing')).toBe('UNAUTHORIZED: token expired; refreshing');
  });

  it('prints [REDACTED] once when a value is redacted twice (its key pair and its registered value, or a second pass)', () => {
    const redactor = new SecretRedactor({ secrets: [SECRET] });
    const line = `auth client_secret=${SECRET} {"refresh_token":"${SECRET}"} password: "${SECRET}"`;
    const once = redactor.redactText(line);
    expect(once).toBe(`auth client_secret=${REDACTED} {"refresh_token":"${REDACTED}"} password: "${REDACTED}"`);
    expect(redactor.redactText(once)).toBe(once);
    expect(redactor.redact({ message: once, nested: [once] })).toEqual({ message: once, nested: [once] });
    expect(once).not.toContain(`${REDACTED}]`);
  });

  it('survives cycles and deep nesting', () => {
    const redactor = new SecretRedactor();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redactor.redact(a)).toEqual({ name: 'a', self: '[Circular]' });
    let deep: Record<string, unknown> = { token: 'x' };
    for (let i = 0; i < 50; i += 1) deep = { deep };
    expect(JSON.stringify(redactor.redact(deep))).not.toContain('"x"');
  });
});
