// The SQL of a find, for both back-ends: one statement that walks from the most selective
// constraint to the resources of the queried level, so that a query costs what it matches, not
// what is stored. Placeholders are "?"; what the SQL dialects disagree on comes from FindDialect.
import { type Level, LEVELS } from "../dicom/levels.ts";
import type { FindPlan, FoundRow, TagConstraint, ValueCondition } from "./interface.ts";

export type Binding = string | number | null;

export interface FindDialect {
  /** The condition that `expr` matches a GLOB `pattern`, whose parameters it pushes. */
  glob(expr: string, pattern: string, params: Binding[]): string;
  /** The LIMIT that means none. */
  noLimit: number | null;
  /** The inner join that keeps the written order of tables (SQLite's CROSS JOIN), or plain JOIN. */
  orderedJoin: string;
}

/** A built find: the statement, and the rows it returns still to filter by labels and page. */
export interface FindStatement {
  sql: string;
  params: Binding[];
  /** Applies the label filters, and then the paging, which SQL cannot do before them. */
  finish(rows: FoundRow[]): FoundRow[];
}

/** Tags with a handful of distinct values: equality on them narrows less than a range. */
const FEW_VALUES = new Set([0x00080060, 0x00100040, 0x00180015, 0x00080070]);

/** How much a constraint narrows, to pick the table SQLite starts from. */
function selectivity(t: TagConstraint): number {
  if (FEW_VALUES.has(t.tag) && (t.condition.kind === "equal" || t.condition.kind === "in")) {
    return 3;
  }
  return conditionSelectivity(t.condition);
}

function conditionSelectivity(c: ValueCondition): number {
  switch (c.kind) {
    case "equal":
      return 0;
    case "in":
      return 1;
    case "range":
      return 2;
    case "glob":
      return /^[^*?[]/.test(c.normPattern) ? 2 : 4;
    case "any":
      return 3;
  }
}

function conditionSql(
  alias: string,
  c: ValueCondition,
  params: Binding[],
  dialect: FindDialect,
): string {
  switch (c.kind) {
    case "equal":
      params.push(c.norm);
      if (c.exact === undefined) return `${alias}.norm = ?`;
      params.push(c.exact);
      return `(${alias}.norm = ? AND ${alias}.value = ?)`;
    case "in":
      params.push(...c.norms);
      return `${alias}.norm IN (${c.norms.map(() => "?").join(", ")})`;
    case "glob": {
      const norm = dialect.glob(`${alias}.norm`, c.normPattern, params);
      if (c.exactPattern === undefined) return norm;
      return `(${norm} AND ${dialect.glob(`${alias}.value`, c.exactPattern, params)})`;
    }
    case "range": {
      const parts: string[] = [];
      if (c.low !== undefined) {
        parts.push(`${alias}.norm >= ?`);
        params.push(c.low);
      }
      if (c.high !== undefined) {
        parts.push(`${alias}.norm <= ?`);
        params.push(c.high);
      }
      return parts.length > 0 ? `(${parts.join(" AND ")})` : "TRUE";
    }
    case "any":
      return `(${c.alternatives.map((a) => conditionSql(alias, a, params, dialect)).join(" OR ")})`;
  }
}

/** Aliases of the queried resource and its ancestors: r, then a1 (parent), a2 (grand-parent)… */
function aliasOf(level: Level, holder: Level): string {
  const distance = LEVELS.indexOf(level) - LEVELS.indexOf(holder);
  return distance <= 0 ? "r" : `a${distance}`;
}

export function findStatement(plan: FindPlan, dialect: FindDialect): FindStatement {
  const params: Binding[] = [];
  const levelNo = LEVELS.indexOf(plan.level);
  const tags = [...plan.tags].sort((a, b) => selectivity(a) - selectivity(b));

  // Ancestors that a constraint or the parent filter needs.
  let depth = 0;
  for (const t of tags) depth = Math.max(depth, levelNo - LEVELS.indexOf(t.holder));
  if (plan.ancestor) depth = Math.max(depth, levelNo - LEVELS.indexOf(plan.ancestor.level));
  for (const o of plan.orderBy ?? []) {
    if (o.kind === "tag") depth = Math.max(depth, levelNo - LEVELS.indexOf(o.holder));
  }

  const from: string[] = [];
  const where: string[] = [];
  // CROSS JOIN keeps SQLite's loop order: the most selective tag drives, the resources follow.
  const [first, ...others] = tags;
  const distanceOf = (alias: string) => (alias === "r" ? 0 : Number(alias.slice(1)));
  if (first) {
    const holder = aliasOf(plan.level, first.holder);
    from.push("main_tags t0");
    where.push(`t0.tag = ${first.tag}`, conditionSql("t0", first.condition, params, dialect));
    from.push(
      `${dialect.orderedJoin} resources ${holder} ON ${holder}.internal_id = t0.resource_id`,
    );
    // Walk down from the holder of the first tag to the queried level…
    let upper = holder;
    for (let d = distanceOf(holder) - 1; d >= 0; d--) {
      const alias = d === 0 ? "r" : `a${d}`;
      from.push(
        `${dialect.orderedJoin} resources ${alias} ON ${alias}.parent_id = ${upper}.internal_id`,
      );
      upper = alias;
    }
    // …and up to the ancestors the other constraints need.
    for (let d = distanceOf(holder) + 1; d <= depth; d++) {
      const below = d === 1 ? "r" : `a${d - 1}`;
      from.push(`${dialect.orderedJoin} resources a${d} ON a${d}.internal_id = ${below}.parent_id`);
    }
  } else {
    from.push("resources r");
    for (let d = 1; d <= depth; d++) {
      const below = d === 1 ? "r" : `a${d - 1}`;
      from.push(`JOIN resources a${d} ON a${d}.internal_id = ${below}.parent_id`);
    }
  }
  // Patient tags are held by patients and studies alike: pin each alias to its level.
  for (let d = 1; d <= depth; d++) where.push(`a${d}.level = ${levelNo - d}`);
  where.push(`r.level = ${levelNo}`);
  others.forEach((t, i) => {
    const alias = `t${i + 1}`;
    from.push(
      `${dialect.orderedJoin} main_tags ${alias} ON ${alias}.resource_id = ${
        aliasOf(plan.level, t.holder)
      }.internal_id AND ${alias}.tag = ${t.tag}`,
    );
    where.push(conditionSql(alias, t.condition, params, dialect));
  });
  if (plan.childModality) {
    where.push(
      `EXISTS (SELECT 1 FROM resources s JOIN main_tags m ON m.resource_id = s.internal_id AND m.tag = ${0x00080060}
        WHERE s.parent_id = r.internal_id AND ${
        conditionSql("m", plan.childModality.condition, params, dialect)
      })`,
    );
  }
  for (const m of plan.metadata ?? []) {
    const values: Binding[] = [];
    const test = m.pattern
      ? dialect.glob("m.value", m.values[0]!, values)
      : `m.value IN (${m.values.map((v) => (values.push(v), "?")).join(", ")})`;
    where.push(
      `EXISTS (SELECT 1 FROM metadata m WHERE m.resource_id = r.internal_id AND m.type = ${m.type} AND ${test})`,
    );
    params.push(...values);
  }
  if (plan.ancestor) {
    where.push(`${aliasOf(plan.level, plan.ancestor.level)}.internal_id = ?`);
    params.push(plan.ancestor.internalId);
  }

  const order: string[] = [];
  (plan.orderBy ?? []).forEach((o, i) => {
    // Resources lacking the key come first (SQLite's default, which PostgreSQL reverses).
    const direction = o.descending ? "DESC NULLS LAST" : "ASC NULLS FIRST";
    if (o.kind === "tag") {
      from.push(
        `LEFT JOIN main_tags o${i} ON o${i}.resource_id = ${
          aliasOf(plan.level, o.holder)
        }.internal_id AND o${i}.tag = ${o.tag}`,
      );
      order.push(`o${i}.value ${direction}`);
    } else {
      from.push(
        `LEFT JOIN metadata o${i} ON o${i}.resource_id = r.internal_id AND o${i}.type = ${o.type}`,
      );
      order.push(`o${i}.value ${direction}`);
    }
  });
  order.push("r.public_id");

  const filtered = plan.restrictTo !== undefined || plan.exclude !== undefined;
  // The WHERE clauses of CROSS-joined tables must come before the LEFT JOINs of the ordering.
  let sql = `SELECT r.internal_id, r.public_id, r.parent_id FROM ${from.join(" ")} WHERE ${
    where.join(" AND ")
  }
    ORDER BY ${order.join(", ")}`;
  // Label filters apply in JavaScript, so paging does too in that case.
  if (!filtered) {
    sql += " LIMIT ? OFFSET ?";
    params.push(plan.limit ?? dialect.noLimit, plan.since);
    return { sql, params, finish: (rows) => rows };
  }
  return {
    sql,
    params,
    finish: (rows) =>
      rows.filter((row) =>
        (plan.restrictTo === undefined || plan.restrictTo.has(row.internal_id)) &&
        (plan.exclude === undefined || !plan.exclude.has(row.internal_id))
      ).slice(plan.since, plan.limit === undefined ? undefined : plan.since + plan.limit),
  };
}
