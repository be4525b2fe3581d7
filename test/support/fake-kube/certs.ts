// TLS material for the fake API server, made at test time with the openssl
// CLI (never committed): a CA, a server certificate for 127.0.0.1, and
// client certificates signed by the CA, as a K3s kubeconfig carries them.
// A client certificate's CN is the user and its O the group, as in Kubernetes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface FakeKubeCerts {
  ca: KeyPair;
  server: KeyPair;
  /** Issues a client certificate for this user (and group); expired: valid only in the past. */
  client(user: string, group?: string, options?: { expired?: boolean }): KeyPair;
  /** Removes the working directory; the PEM strings stay usable. */
  dispose(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCerts(): FakeKubeCerts {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-tls-'));
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=fake-kube-ca']);
  const issue = (name: string, subject: string, ext: string, expired = false): KeyPair => {
    openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    if (expired) {
      // `openssl ca` is the 3.0 way to choose both dates of a certificate.
      writeFileSync(join(dir, 'index.txt'), '');
      writeFileSync(
        join(dir, 'ca.cnf'),
        [
          '[ca]', 'default_ca = fake', '[fake]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir',
          'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
          '[any]', 'commonName = supplied', 'organizationName = optional', '',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'serial'), `${Date.now().toString(16).padStart(16, '0').slice(-16)}\n`);
      openssl(dir, [
        'ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.crt`,
        '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', `${name}.ext`, '-notext',
      ]);
    } else {
      openssl(dir, [
        'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
        '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
      ]);
    }
    return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
  };
  const ca = { cert: read('ca.crt'), key: read('ca.key') };
  const server = issue('server', '/CN=fake-kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  let serial = 0;
  return {
    ca,
    server,
    client(user, group, options = {}) {
      serial += 1;
      const subject = `${group ? `/O=${group}` : ''}/CN=${user}`;
      return issue(`client${serial}`, subject, 'extendedKeyUsage=clientAuth', options.expired);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
