// `switchboard numbers import FILE` as an operator runs it: the numbers land
// in the inventory of the data dir; a bad file changes nothing and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { leash } from '../helpers/children.ts';
import { openStore } from '../../src/store/db.ts';
import { poolRepo } from '../../src/store/repos/numbers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function importFile(dataDir: string, csv: string, ...flags: string[]) {
  const file = path.join(dataDir, 'pool.csv');
  fs.writeFileSync(file, csv);
  return spawnSync(...leash(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), 'numbers', 'import', file, '--data-dir', dataDir, ...flags]), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '' },
    encoding: 'utf8',
  });
}

test('imports an operator’s numbers, keeps or replaces existing entries, and rejects a bad file whole', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-import-'));
  try {
    const ok = importFile(dataDir, 'number,region,city,monthly_rental_rate\n+12125550177,New York,New York,0.75\n442079460999,,London,\n');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /2 number\(s\) in .* are in the inventory \(existing entries kept\)/);

    const again = importFile(dataDir, 'number,region,city,monthly_rental_rate\n12125550177,New York,New York,9.99\n', '--replace');
    assert.equal(again.status, 0, again.stderr);

    const kept = importFile(dataDir, 'number,monthly_rental_rate\n12125550177,1.00\n');
    assert.equal(kept.status, 0, kept.stderr);

    const bad = importFile(dataDir, 'number\n12125550178\nnot-a-number\n');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /line 3: number "not-a-number" is not a valid phone number/);

    const store = await openStore({ dataDir });
    try {
      const ny = await poolRepo.find(store.db, '12125550177');
      assert.deepEqual([ny?.city, ny?.monthly_rental_rate, ny?.source], ['New York', 9_990_000, 'import']);
      assert.equal((await poolRepo.find(store.db, '442079460999'))?.country_iso, 'GB');
      assert.equal(await poolRepo.find(store.db, '12125550178'), undefined, 'nothing from the bad file was imported');
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
