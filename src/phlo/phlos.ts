// PHLO definitions: create, list, read, replace (versions, If-Match, node_ids
// kept across updates), delete (numbers and endpoints detached), validate.
// Flows belong to an owner like every resource; a subaccount sees its own.
import { ApiError, notFound } from '../errors.ts';
import { newUuid } from '../ids.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import { ownerFilter, type Scope } from '../platform/scope.ts';
import { formatMicroTimestamp } from '../platform/time.ts';
import { phlosRepo, type PhloFilter } from '../store/repos/phlos.ts';
import type { PhloRow } from '../store/tables/phlo.ts';
import type { Finding, PhloGraph, PhloNode } from './phlo-document.ts';
import { validatePhlo, type ValidationResult } from './phlo-validate.ts';

/** A stored flow with its nodes parsed. */
export interface StoredPhlo {
  row: PhloRow;
  graph: PhloGraph;
  warnings: Finding[];
}

export interface PhloListQuery {
  name?: string;
  limit: number;
  offset: number;
}

/** 400 naming every problem; nothing is stored. */
function invalid(result: ValidationResult): ApiError {
  const n = result.errors.length;
  const first = result.errors[0];
  const where = first.node ? `node ${first.node}, ${first.field}` : first.field;
  return new ApiError(400, `the PHLO is not valid (${n} error${n === 1 ? '' : 's'}); first: ${where} ${first.message}`, { errors: result.errors });
}

/** `If-Match: 3` or `If-Match: "3"` → 3. */
function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const v = Number(ifMatch.trim().replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(v) || v < 1) throw new ApiError(400, `If-Match must be the PHLO's version (an integer, as GET returns it), got "${ifMatch}"`);
  return v;
}

export class Phlos {
  /** Parsed flows by phlo_id and version: every run reads its flow, few flows change. */
  private readonly parsed = new Map<string, StoredPhlo>();

  constructor(
    private readonly ctx: PlatformContext,
    accounts: Accounts,
    private readonly origin: () => string,
  ) {
    accounts.registerDependent({
      moveToMain: (trx, a, s) => phlosRepo.moveToMain(trx, a, s),
      deleteAll: (trx, a, s) => phlosRepo.deleteForSubaccount(trx, a, s),
    });
  }

  validate(input: unknown): ValidationResult {
    return validatePhlo(input);
  }

  async create(scope: Scope, input: unknown): Promise<StoredPhlo> {
    const result = validatePhlo(input);
    if (!result.graph) throw invalid(result);
    const now = this.ctx.clock.now();
    const row: PhloRow = {
      phlo_id: newUuid(),
      account_id: scope.accountId,
      subaccount_id: scope.subaccountId,
      name: result.graph.name,
      description: result.graph.description,
      version: 1,
      nodes: JSON.stringify(result.graph.nodes),
      warnings: JSON.stringify(result.warnings),
      created_at: now,
      updated_at: now,
    };
    await phlosRepo.insert(this.ctx.db, row);
    return { row, graph: result.graph, warnings: result.warnings };
  }

  /** Full replace; node_ids sent back are kept, and nodes sent without one keep the id their name had. */
  async replace(scope: Scope, phloId: string, input: unknown, ifMatch?: string): Promise<StoredPhlo> {
    const expected = expectedVersion(ifMatch);
    const current = await this.find(scope, phloId);
    if (expected !== undefined && expected !== current.row.version) {
      throw new ApiError(409, `PHLO ${phloId} is at version ${current.row.version}, not ${expected}: read it again and re-apply your change`);
    }
    const result = validatePhlo(input, current.graph);
    if (!result.graph) throw invalid(result);
    const patch = {
      name: result.graph.name,
      description: result.graph.description,
      version: current.row.version + 1,
      nodes: JSON.stringify(result.graph.nodes),
      warnings: JSON.stringify(result.warnings),
      updated_at: this.ctx.clock.now(),
    };
    if (!(await phlosRepo.replace(this.ctx.db, phloId, current.row.version, patch))) {
      throw new ApiError(409, `PHLO ${phloId} was changed by another request meanwhile: read it again and re-apply your change`);
    }
    return { row: { ...current.row, ...patch }, graph: result.graph, warnings: result.warnings };
  }

  /** Numbers and endpoints attached to it are detached; runs already started finish. */
  async delete(scope: Scope, phloId: string): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await phlosRepo.find(trx, ownerFilter(scope), phloId))) throw notFound(`PHLO ${phloId}`);
      await phlosRepo.detach(trx, phloId);
      await phlosRepo.delete(trx, phloId);
    });
  }

  async find(scope: Scope, phloId: string): Promise<StoredPhlo> {
    const row = await phlosRepo.find(this.ctx.db, ownerFilter(scope), phloId);
    if (!row) throw notFound(`PHLO ${phloId}`);
    return this.parse(row);
  }

  /** A flow by id whoever owns it (inbound traffic to a number or endpoint it is attached to). */
  async findAttached(phloId: string): Promise<StoredPhlo | undefined> {
    const row = await phlosRepo.findAny(this.ctx.db, phloId);
    return row && this.parse(row);
  }

  private parse(row: PhloRow): StoredPhlo {
    const key = `${row.phlo_id}:${row.version}`;
    let hit = this.parsed.get(key);
    if (!hit) {
      hit = { row, graph: { name: row.name, description: row.description, nodes: JSON.parse(row.nodes) as PhloNode[] }, warnings: JSON.parse(row.warnings) as Finding[] };
      if (this.parsed.size >= 1000) this.parsed.delete(this.parsed.keys().next().value!);
      this.parsed.set(key, hit);
    }
    return hit;
  }

  async list(scope: Scope, q: PhloListQuery) {
    const filter: PhloFilter = { ...ownerFilter(scope), name: q.name };
    const [rows, total] = await Promise.all([phlosRepo.list(this.ctx.db, filter, q.limit, q.offset), phlosRepo.count(this.ctx.db, filter)]);
    return {
      total,
      objects: rows.map((r) => ({
        phlo_id: r.phlo_id,
        name: r.name,
        created_on: formatMicroTimestamp(r.created_at),
        updated_on: formatMicroTimestamp(r.updated_at),
        version: r.version,
        node_count: (JSON.parse(r.nodes) as unknown[]).length,
        phlo_url: this.runUrl(r),
      })),
    };
  }

  /** Where the runner API runs this flow. */
  runUrl(row: PhloRow): string {
    return `${this.origin()}/v1/account/${row.subaccount_id ?? row.account_id}/phlo/${row.phlo_id}`;
  }

  /** The full document as the definitions API answers it. */
  async view(p: StoredPhlo) {
    return {
      phlo_id: p.row.phlo_id,
      name: p.row.name,
      description: p.row.description,
      created_on: formatMicroTimestamp(p.row.created_at),
      updated_on: formatMicroTimestamp(p.row.updated_at),
      version: p.row.version,
      phlo_url: this.runUrl(p.row),
      numbers: await phlosRepo.attachedNumbers(this.ctx.db, p.row.phlo_id),
      nodes: p.graph.nodes,
      warnings: p.warnings,
    };
  }
}
