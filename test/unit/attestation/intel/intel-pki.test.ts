import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  intelRoot,
  verifyPckChain,
  verifyTcbSigner,
} from '../../../../src/attestation/intel/chain.js';
import { checkCrl, parseCrl } from '../../../../src/attestation/intel/crl.js';
import { readDer } from '../../../../src/encoding/der-reader.js';
import { pckExtensions } from '../../../../src/attestation/intel/pck-extensions.js';
import { parseCertificate, pemCertificates } from '../../../../src/attestation/intel/x509.js';
import { CasError } from '../../../../src/errors/cas-error.js';
import { chainOf, loadIntelVectors } from './intel-vectors.js';

const codeIs = (code: string) => (e: unknown) => e instanceof CasError && e.code === code;

test('the PCK chain and its SGX extensions are read from the quote', (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const chain = verifyPckChain(chainOf(v.sgx.quote), v.sgx.now);
  assert.equal(chain.root.subjectCn, 'Intel SGX Root CA');
  assert.equal(chain.pckCa.subjectCn, 'Intel SGX PCK Processor CA');
  assert.equal(chain.leaf.subjectCn, 'Intel SGX PCK Certificate');
  const ext = pckExtensions(chain.leaf);
  assert.equal(ext.fmspc, '00a067110000');
  assert.equal(ext.pceId, '0000');
  assert.equal(ext.pceSvn, 13);
  assert.deepEqual(ext.sgxTcbComponents, [11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // certificate time edges: one second outside the leaf's window
  const before = new Date(chain.leaf.notBefore.getTime() - 1000);
  const after = new Date(chain.leaf.notAfter.getTime() + 1000);
  assert.throws(
    () => verifyPckChain(chainOf(v.sgx.quote), before),
    codeIs('CAS_ATTESTATION_CERT_NOT_YET_VALID'),
  );
  assert.throws(
    () => verifyPckChain(chainOf(v.sgx.quote), after),
    codeIs('CAS_ATTESTATION_CERT_EXPIRED'),
  );
  verifyPckChain(chainOf(v.sgx.quote), chain.leaf.notBefore);
  verifyPckChain(chainOf(v.sgx.quote), chain.leaf.notAfter);
  // a certificate without the SGX extensions is not a PCK certificate
  assert.throws(() => pckExtensions(chain.pckCa), codeIs('CAS_ATTESTATION_CHAIN_INVALID'));
});

test('the TCB signer must be the Intel SGX TCB Signing certificate, checked at the clock', (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const signer = verifyTcbSigner(v.gotdx.collateral.tcbInfoIssuerChain, v.gotdx.now, 'chain');
  assert.equal(signer.subjectCn, 'Intel SGX TCB Signing');
  // the 2018 signing certificate expired on 2025-05-21
  assert.throws(
    () =>
      verifyTcbSigner(
        v.gotdx.collateral.tcbInfoIssuerChain,
        new Date('2025-05-22T00:00:00Z'),
        'chain',
      ),
    codeIs('CAS_ATTESTATION_CERT_EXPIRED'),
  );
  // a PCK CA (issued by the root too) cannot sign TCB info
  const pckCaPem =
    chainOf(v.sgx.quote).split('-----END CERTIFICATE-----')[1] + '-----END CERTIFICATE-----\n';
  assert.throws(
    () => verifyTcbSigner(pckCaPem, v.sgx.now, 'chain'),
    codeIs('CAS_ATTESTATION_CHAIN_INVALID'),
  );
});

test('CRLs are checked against their issuer, at the clock, and revoke what they list', (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const chain = verifyPckChain(chainOf(v.automata.quote), v.automata.now);
  const pckCrl = parseCrl(v.automata.collateral.pckCrl);
  assert.equal(pckCrl.revokedSerials.size, 44);
  checkCrl(pckCrl, chain.pckCa, [chain.leaf], v.automata.now, 'PCK CRL');
  // a certificate whose serial the CRL lists is refused
  const listed = [...pckCrl.revokedSerials][0] as string;
  assert.throws(
    () =>
      checkCrl(
        pckCrl,
        chain.pckCa,
        [{ ...chain.leaf, serialHex: listed }],
        v.automata.now,
        'PCK CRL',
      ),
    codeIs('CAS_ATTESTATION_CERT_REVOKED'),
  );
  // the same CRL against another issuer
  assert.throws(
    () => checkCrl(pckCrl, intelRoot(), [chain.leaf], v.automata.now, 'PCK CRL'),
    codeIs('CAS_ATTESTATION_CRL_INVALID'),
  );
  // CRL window edges
  const before = new Date(pckCrl.thisUpdate.getTime() - 1000);
  const after = new Date(pckCrl.nextUpdate.getTime() + 1000);
  assert.throws(
    () => checkCrl(pckCrl, chain.pckCa, [], before, 'PCK CRL'),
    codeIs('CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID'),
  );
  assert.throws(
    () => checkCrl(pckCrl, chain.pckCa, [], after, 'PCK CRL'),
    codeIs('CAS_ATTESTATION_COLLATERAL_EXPIRED'),
  );
  // a revocation list whose signed bytes were altered
  const root = parseCrl(v.automata.collateral.rootCaCrl);
  const forged = { ...root, revokedSerials: new Set([chain.pckCa.serialHex]) };
  assert.throws(
    () => checkCrl(forged, intelRoot(), [chain.pckCa], v.automata.now, 'root CRL'),
    codeIs('CAS_ATTESTATION_CERT_REVOKED'),
  );
});

test('DER, certificate, CRL and PEM readers never throw anything but a CasError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      for (const run of [
        () => readDer(bytes, 0, 'CAS_ATTESTATION_CHAIN_INVALID'),
        () => parseCertificate(bytes, 'CAS_ATTESTATION_CHAIN_INVALID'),
        () => parseCrl(bytes),
        () =>
          pemCertificates(
            `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes).toString('latin1')}`,
            'CAS_ATTESTATION_CHAIN_INVALID',
          ),
      ]) {
        try {
          run();
        } catch (error) {
          assert.ok(error instanceof CasError, String(error));
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('truncated and mutated certificates and CRLs from the vectors fail with a CasError', (t) => {
  const v = loadIntelVectors(t);
  if (v === null) return;
  const certs = pemCertificates(chainOf(v.tdx.quote), 'CAS_ATTESTATION_CHAIN_INVALID');
  const samples = [...certs, v.tdx.collateral.pckCrl, v.tdx.collateral.rootCaCrl];
  fc.assert(
    fc.property(
      fc.nat({ max: samples.length - 1 }),
      fc.nat(),
      fc.nat(255),
      fc.boolean(),
      (which, at, value, truncate) => {
        const base = samples[which] as Uint8Array;
        const offset = at % base.length;
        const bytes = truncate
          ? base.subarray(0, offset)
          : Uint8Array.from(base, (b, i) => (i === offset ? value : b));
        for (const run of [
          () => parseCertificate(bytes, 'CAS_ATTESTATION_CHAIN_INVALID'),
          () => parseCrl(bytes),
        ]) {
          try {
            run();
          } catch (error) {
            assert.ok(error instanceof CasError, String(error));
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});
