// Who the HTTP server lets in, resolved from the configuration as Orthanc 1.10 resolves it at
// startup: "AuthenticationEnabled", when absent, follows "RemoteAccessAllowed" (so that opening
// the server to the network never leaves it open to everyone by omission), and a server open to
// the network with authentication but no registered user gets Orthanc's default user
// orthanc/orthanc and reports itself insecure (/system IsHttpServerSecure), as Orthanc's Docker
// images rely on. The warnings are Orthanc's, logged once at startup.
import type { Configuration } from "./schema.ts";

export interface HttpSecurity {
  remoteAccessAllowed: boolean;
  authenticationEnabled: boolean;
  users: Readonly<Record<string, string>>;
  /** /system "IsHttpServerSecure". */
  secure: boolean;
  warnings: string[];
}

export const DEFAULT_USER = { name: "orthanc", password: "orthanc" } as const;

type SecurityOptions = Pick<
  Configuration,
  "RemoteAccessAllowed" | "AuthenticationEnabled" | "RegisteredUsers"
>;

export function httpSecurity(config: SecurityOptions): HttpSecurity {
  const remote = config.RemoteAccessAllowed;
  const warnings: string[] = [];
  let authenticationEnabled: boolean;
  if (config.AuthenticationEnabled !== undefined) {
    authenticationEnabled = config.AuthenticationEnabled;
    if (remote && !authenticationEnabled) {
      warnings.push(
        "====> Remote access is enabled while user authentication is explicitly disabled, " +
          "your setup is POSSIBLY INSECURE <====",
      );
    }
  } else {
    authenticationEnabled = remote;
    if (remote) {
      warnings.push(
        'Remote access is allowed but "AuthenticationEnabled" is not in the configuration, ' +
          "automatically enabling HTTP authentication for security",
      );
    }
  }
  let users: Record<string, string> = config.RegisteredUsers;
  let defaultUser = false;
  if (authenticationEnabled && Object.keys(users).length === 0) {
    if (remote) {
      warnings.push(
        "====> HTTP authentication is enabled, but no user is declared. Creating a default " +
          'user: Review your configuration option "RegisteredUsers". Your setup is INSECURE <====',
      );
      users = { [DEFAULT_USER.name]: DEFAULT_USER.password };
      defaultUser = true;
    } else {
      warnings.push(
        "HTTP authentication is enabled, but no user is declared, check the value of " +
          'configuration option "RegisteredUsers"',
      );
    }
  }
  return {
    remoteAccessAllowed: remote,
    authenticationEnabled,
    users,
    secure: !(remote && !authenticationEnabled) && !defaultUser,
    warnings,
  };
}
