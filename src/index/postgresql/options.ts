// The connection options of the PostgreSQL index from the `PostgreSQL` configuration section,
// which has the names of Orthanc's PostgreSQL plugin.
import type { ConnectionOptions } from "./protocol.ts";

export interface PostgreSQLSection {
  Host: string;
  Port: number;
  Database: string;
  Username: string;
  Password: string;
  ConnectionUri?: string;
  Lock: boolean;
  EnableSsl: boolean;
  MaximumConnectionRetries: number;
  ConnectionRetryInterval: number;
}

export function connectionOptions(section: PostgreSQLSection): Omit<ConnectionOptions, "node"> {
  return {
    url: section.ConnectionUri ?? connectionUri(section),
    exclusive: section.Lock,
    connectAttempts: 1 + section.MaximumConnectionRetries,
    connectIntervalSeconds: section.ConnectionRetryInterval,
  };
}

function connectionUri(section: PostgreSQLSection): string {
  const user = section.Username === "" ? "" : encodeURIComponent(section.Username);
  const password = section.Password === "" ? "" : `:${encodeURIComponent(section.Password)}`;
  const credentials = user === "" ? "" : `${user}${password}@`;
  const host = section.Host.includes(":") ? `[${section.Host}]` : section.Host;
  const ssl = section.EnableSsl ? "?sslmode=require" : "";
  return `postgres://${credentials}${host}:${section.Port}/${
    encodeURIComponent(section.Database)
  }${ssl}`;
}
