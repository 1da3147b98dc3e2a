/**
 * Terraform grants each function its IAM from its entry in shared/contracts/topology.json (evaluated here through
 * modules/topology); an entry the code never uses is a permission nobody needs. For every function, each grant must
 * match what its code uses, in both directions. "Its code" is functions/<folder>/wiring.ts and what it loads at run
 * time: the deployed platform every function shares (functions/runtime/cloud-platform.ts) only builds clients, and a
 * client that is never called needs no role.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MATERIALIZED_VIEWS } from '../../../shared/contracts/warehouse-views';
import { runtimeClosure } from '../contracts/publish-scan';
import { evaluateModule } from './evaluate';
import {
  MODULES_DIR,
  ROOT,
  TF_DIR,
  labelled,
  moduleNames,
  parseDir,
  readJson,
  resourcesOf,
  valuesOf,
} from './hcl';

/**
 * Cloud KMS roles that can decrypt. Only a function whose code decrypts may hold one, and then only
 * cryptoKeyDecrypter on the keys it names under "decrypts" (never cryptoKeyEncrypterDecrypter).
 */
const DECRYPT_ROLES = ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'roles/cloudkms.cryptoKeyDecrypter'];
const ENCRYPT_ROLE = 'roles/cloudkms.cryptoKeyEncrypter';
const DECRYPT_ROLE = 'roles/cloudkms.cryptoKeyDecrypter';

/** Every Cloud KMS role (roles/cloudkms.*) any module grants, as "module: resource role". */
async function kmsGrants(): Promise<{ where: string; role: string }[]> {
  const out: { where: string; role: string }[] = [];
  for (const m of moduleNames())
    for (const [type, byName] of Object.entries(resourcesOf(await parseDir(join(MODULES_DIR, m)))))
      for (const [name, body] of Object.entries(byName))
        for (const role of valuesOf(body, 'role'))
          if (typeof role === 'string' && role.startsWith('roles/cloudkms.'))
            out.push({ where: `${m}: ${type}.${name}`, role });
  return out;
}

interface Entry {
  folder: string;
  writes?: string[];
  reads?: string[];
  secrets?: string[];
}

interface TopologyOut {
  functions: Record<
    string,
    {
      secrets: string[];
      encrypts: string[];
      decrypts: string[];
      archive: boolean;
      bigquery_jobs: boolean;
      firestore: boolean;
    }
  >;
  kms_bindings: Record<string, { function: string; key: string }>;
  kms_decrypt_bindings: Record<string, { function: string; key: string }>;
}

const entries = readJson<{ functions: Record<string, Entry> }>(
  join(ROOT, 'shared', 'contracts', 'topology.json'),
).functions;

interface Uses {
  inserts: string[];
  queries: boolean;
  /** Whether the code names a table (e.g. in the SQL it queries). */
  names: (table: string) => boolean;
  refreshedSources: string[];
  archives: boolean;
  maintenance: boolean;
  secrets: string[];
  cipher: boolean;
  /** Whether the code decrypts with the cipher (reads personal data back). */
  decrypts: boolean;
  store: boolean;
}

/** What a function's code uses, read from its wiring and the files the wiring loads at run time. */
function usesOf(folder: string): Uses {
  const wiring = readFileSync(join(ROOT, 'functions', folder, 'wiring.ts'), 'utf8');
  const code = [...runtimeClosure(`functions/${folder}/wiring.ts`)]
    .map((f) => readFileSync(join(ROOT, f), 'utf8'))
    .join('\n');
  const all = (re: RegExp) => [...new Set([...code.matchAll(re)].map((m) => m[1] ?? m[2]))].sort();
  return {
    inserts: all(/\.insert\(\s*'([a-z_]+\.[a-z_]+)'/g),
    queries: /\bwarehouse\.query\s*[<(]/.test(code),
    names: (table) => code.includes(table),
    // BigQuery refreshes a materialized view with the caller's rights on its dataset, which is its source's.
    refreshedSources: /\.refreshMaterializedView\(/.test(code) ? MATERIALIZED_VIEWS.map((v) => v.source) : [],
    archives: /\.exportPartition\(/.test(code),
    // Every method of the warehouse maintenance (BigQuery in the cloud) runs jobs.
    maintenance: /\.maintenance\(\)/.test(wiring),
    secrets: all(/secrets\.get\(\s*'([A-Z][A-Z0-9_]+)'|_SECRET\s*=\s*'([A-Z][A-Z0-9_]+)'/g),
    cipher: /\.cipher\(/.test(wiring),
    decrypts: /\bcipher\s*\.\s*decrypt\s*\(/.test(code),
    // The platform's document store reaches the use case only through the wiring, and the use case calls it.
    store: /\.\.\.p\b|\bp\.store\b/.test(wiring) && /\.store\s*\.\s*[a-zA-Z]+\s*[<(]/.test(code),
  };
}

describe('every grant a function holds is used by its code, and everything its code uses is granted', () => {
  let out: TopologyOut;
  beforeAll(() => {
    const r = evaluateModule<TopologyOut>('topology', {
      topology_path: join(ROOT, 'shared', 'contracts', 'topology.json'),
      tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
      views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
    });
    if (!r.ok) throw new Error(r.stderr);
    out = r.value;
  });

  it('sees what the code uses (the scan is not blind)', () => {
    expect(usesOf('ingest-prices')).toMatchObject({
      inserts: ['market.prices'],
      secrets: ['CHAINLINK_RPC_URL', 'PYTH_HERMES_API_KEY'],
      maintenance: false,
      store: true,
    });
    expect(usesOf('refresh-materialized-views')).toMatchObject({
      inserts: [],
      maintenance: true,
      store: false,
      refreshedSources: ['risk.portfolio_exposures'],
    });
    expect(usesOf('persona-webhook')).toMatchObject({
      cipher: true,
      decrypts: false,
      secrets: ['PERSONA_WEBHOOK_SECRET'],
    });
    expect(usesOf('archive-cold-data')).toMatchObject({ archives: true, maintenance: true, store: true });
    // The case tool decrypts a case's personal data and officers' notes (in the use case its wiring loads).
    expect(usesOf('compliance-cases')).toMatchObject({ cipher: true, decrypts: true });
    expect(usesOf('evaluate-aml')).toMatchObject({ cipher: true, decrypts: false });
  });

  it('grants cryptoKeyDecrypter exactly to the functions whose code decrypts, on the keys they name under "decrypts", and never cryptoKeyEncrypterDecrypter', async () => {
    const decrypting = Object.entries(entries)
      .filter(([, e]) => usesOf(e.folder).decrypts)
      .map(([n]) => n)
      .sort();
    // Today only the compliance case tool shows personal data back (to officers).
    expect(decrypting).toEqual(['complianceCases']);
    const naming = Object.entries(out.functions)
      .filter(([, f]) => f.decrypts.length > 0)
      .map(([n]) => n)
      .sort();
    expect(naming).toEqual(decrypting);
    expect(
      Object.values(out.kms_decrypt_bindings)
        .map((b) => `${b.function}/${b.key}`)
        .sort(),
    ).toEqual(naming.flatMap((n) => out.functions[n].decrypts.map((k) => `${n}/${k}`)).sort());

    const grants = await kmsGrants();
    expect(grants.filter((g) => g.role === 'roles/cloudkms.cryptoKeyEncrypterDecrypter')).toEqual([]);
    // Two KMS grants: cryptoKeyEncrypter to the encrypters the functions module derives from "encrypts", and
    // cryptoKeyDecrypter to the decrypters it derives from "decrypts", each per key.
    expect(grants.map((g) => `${g.where} ${g.role}`).sort()).toEqual([
      `kms: google_kms_crypto_key_iam_member.decrypter ${DECRYPT_ROLE}`,
      `kms: google_kms_crypto_key_iam_member.encrypter ${ENCRYPT_ROLE}`,
    ]);
    const kms = resourcesOf(await parseDir(join(MODULES_DIR, 'kms'))).google_kms_crypto_key_iam_member;
    expect(kms.encrypter.for_each).toBe('${var.encrypters}');
    expect(kms.decrypter.for_each).toBe('${var.decrypters}');
    expect(kms.decrypter.crypto_key_id).toBe('${google_kms_crypto_key.this[each.value.key].id}');
    // The decrypters reach the kms module only from the topology's "decrypts" (through the functions module).
    const outputs = labelled(await parseDir(join(MODULES_DIR, 'functions')), 'output');
    expect(String(outputs.kms_decrypters.value)).toContain('module.topology.kms_decrypt_bindings');
    expect(String(outputs.kms_decrypters.value)).not.toMatch(/module\.topology\.kms_bindings\b/);
    const kmsCall = labelled(await parseDir(join(MODULES_DIR, 'environment')), 'module').kms;
    expect(kmsCall.decrypters).toBe('${module.functions.kms_decrypters}');
    expect(kmsCall.encrypters).toBe('${module.functions.kms_encrypters}');
  });

  describe.each(Object.entries(entries).map(([name, e]) => [name, e] as const))('%s', (name, entry) => {
    const uses = usesOf(entry.folder);

    it('writes (dataEditor) only tables it inserts into, or the sources of the views it refreshes', () => {
      const used = new Set([...uses.inserts, ...uses.refreshedSources]);
      expect((entry.writes ?? []).filter((t) => !used.has(t))).toEqual([]);
    });

    it('reads (dataViewer) only tables its queries name', () => {
      expect((entry.reads ?? []).filter((t) => !(uses.queries && uses.names(t)))).toEqual([]);
    });

    it('reads exactly the secrets its code reads by name', () => {
      expect(out.functions[name].secrets).toEqual(uses.secrets);
    });

    it('encrypts with a Cloud KMS key exactly when its wiring builds a cipher', () => {
      expect(out.functions[name].encrypts.length > 0).toBe(uses.cipher);
    });

    it('decrypts with a Cloud KMS key (topology "decrypts") exactly when its code decrypts with its cipher', () => {
      expect(out.functions[name].decrypts.length > 0).toBe(uses.decrypts);
      if (uses.decrypts) expect(uses.cipher).toBe(true);
    });

    it('holds cryptoKeyEncrypter when it encrypts, and a decrypting role only when its code decrypts (cryptoKeyDecrypter)', async () => {
      // A function's KMS roles are those of the kms module's grants to the encrypters and to the decrypters, if it
      // names a key under "encrypts" or "decrypts".
      const grants = await kmsGrants();
      const held = [
        ...(out.functions[name].encrypts.length > 0
          ? grants.filter((g) => g.where.endsWith('.encrypter')).map((g) => g.role)
          : []),
        ...(out.functions[name].decrypts.length > 0
          ? grants.filter((g) => g.where.endsWith('.decrypter')).map((g) => g.role)
          : []),
      ];
      if (!uses.decrypts) expect(held.filter((r) => DECRYPT_ROLES.includes(r))).toEqual([]);
      expect(held).toEqual([
        ...(out.functions[name].encrypts.length > 0 ? [ENCRYPT_ROLE] : []),
        ...(uses.decrypts ? [DECRYPT_ROLE] : []),
      ]);
    });

    it('writes the cold archive exactly when its code exports partitions', () => {
      expect(out.functions[name].archive).toBe(uses.archives);
    });

    it('runs BigQuery jobs (jobUser) exactly when its code queries the warehouse or maintains it', () => {
      expect(out.functions[name].bigquery_jobs).toBe(uses.queries || uses.maintenance);
    });

    it('uses Firestore (datastore.user) exactly when its code is handed the document store and calls it', () => {
      expect(out.functions[name].firestore).toBe(uses.store);
    });
  });
});
