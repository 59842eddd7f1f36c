// The one query of childFiles for both back-ends: a resource's children with one main tag, one
// attachment and some metadata values, by left joins (any of them may be missing). `$n` marks
// the parameters: the parent, the tag, the content type, then the metadata types.
import type { ChildFilesQuery } from "../server/model.ts";

export function childFilesSql(metadataCount: number): string {
  const metadata = Array.from({ length: metadataCount }, (_, i) => i);
  return `SELECT r.internal_id, r.level, r.public_id, r.parent_id, t.value AS tag_value,
      a.content_type, a.uuid, a.compressed_size, a.uncompressed_size, a.compression,
      a.uncompressed_md5, a.compressed_md5, a.revision${
    metadata.map((i) => `, m${i}.value AS m${i}`).join("")
  }
    FROM resources r
    LEFT JOIN main_tags t ON t.resource_id = r.internal_id AND t.tag = $2
    LEFT JOIN attachments a ON a.resource_id = r.internal_id AND a.content_type = $3${
    metadata.map((i) => `
    LEFT JOIN metadata m${i} ON m${i}.resource_id = r.internal_id AND m${i}.type = $${i + 4}`).join(
      "",
    )
  }
    WHERE r.parent_id = $1 ORDER BY r.internal_id`;
}

export function childFilesParams(internalId: number, query: ChildFilesQuery): number[] {
  return [internalId, query.tag, query.contentType, ...query.metadata];
}
