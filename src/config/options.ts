// The configuration options Pharos reads, with Orthanc's names, defaults and a comment each.
// One table serves validation (schema.ts) and the commented file `--config=FILE` writes.
import { z } from "zod";
import { ENCODINGS } from "../dicom/charsets.ts";

export interface OptionSpec {
  /** Built when the option is given: a server starts without building the ~300 it is not given. */
  schema: () => z.ZodType;
  default: unknown;
  comment: string;
}

const port = () => z.number().int().min(0).max(65535);
const nonNegative = () => z.number().int().min(0);

export const OPTIONS = {
  Name: {
    schema: () => z.string(),
    default: "Pharos",
    comment: "The logical name of this server, shown in /system.",
  },
  StorageDirectory: {
    schema: () => z.string().min(1),
    default: "PharosStorage",
    comment: "Folder of the storage area (DICOM files and attachments).",
  },
  IndexDirectory: {
    schema: () => z.string().min(1),
    default: "PharosStorage",
    comment: "Folder of the SQLite index.",
  },
  StorageCompression: {
    schema: () => z.boolean(),
    default: false,
    comment: "Compress the files of the storage area with zlib.",
  },
  MaximumStorageSize: {
    schema: nonNegative,
    default: 0,
    comment: "Maximum size of the storage in MB (0 means unlimited).",
  },
  MaximumPatientCount: {
    schema: nonNegative,
    default: 0,
    comment: "Maximum number of patients (0 means unlimited).",
  },
  StoreMD5ForAttachments: {
    schema: () => z.boolean(),
    default: true,
    comment: "Record the MD5 of each stored file.",
  },
  Plugins: {
    schema: () => z.array(z.string()),
    default: [],
    comment: "Plugins to load (files or folders).",
  },
  PluginsFailOnError: {
    schema: () => z.boolean(),
    default: false,
    comment: "Refuse to start when a plugin fails to load (else it is logged and left out).",
  },
  HttpRequestTimeout: {
    schema: nonNegative,
    default: 30,
    comment:
      "Seconds after which an HTTP connection that sends nothing is closed (0 for never; at most 255). A request being answered is never cut.",
  },
  PluginCallbackTimeout: {
    schema: () => z.number().positive(),
    default: 60,
    comment:
      "Seconds a plugin's REST callback, HTTP or instance filter or DICOMweb binary callback may take before Orthanc's Timeout error answers in its place (an on-change or on-stored callback is waited for this long at shutdown).",
  },
  PluginsIsolation: {
    schema: () => z.record(z.string(), z.enum(["InProcess", "Worker"])),
    default: {},
    comment:
      'How each plugin runs, by file name without extension: "InProcess" (default) on the server\'s thread, or "Worker" in its own worker thread, restarted when a call outlives PluginCallbackTimeout.',
  },
  BuiltinDecoderTranscoderOrder: {
    schema: () => z.enum(["Before", "After", "Disabled"]),
    default: "After",
    comment:
      "Whether the built-in image decoders and transcoder run before the plugins', after them (the default: a plugin's codec is asked first), or not at all.",
  },
  IngestTranscoding: {
    schema: () => z.string().optional(),
    default: undefined,
    comment:
      "The transfer syntax every received instance is transcoded to before it is stored (kept as received when it cannot be).",
  },
  IngestTranscodingOfUncompressed: {
    schema: () => z.boolean(),
    default: true,
    comment: "Whether IngestTranscoding applies to instances received uncompressed.",
  },
  IngestTranscodingOfCompressed: {
    schema: () => z.boolean(),
    default: true,
    comment: "Whether IngestTranscoding applies to instances received compressed.",
  },
  DicomLossyTranscodingQuality: {
    schema: () => z.number().int().min(1).max(100),
    default: 90,
    comment:
      "The quality (1 to 100) of the built-in transcoder's lossy JPEG, where a request gives none.",
  },
  MetricsEnabled: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Whether Pharos monitors its metrics: if true, they are read at /tools/metrics-prometheus in Prometheus' text format.",
  },
  ConcurrentJobs: {
    schema: nonNegative,
    default: 2,
    comment: "Jobs run at once at most (0 means one per CPU).",
  },
  MediaArchiveSize: {
    schema: () => z.number().int().min(1),
    default: 1,
    comment: "Archives and media of asynchronous jobs kept for download (the oldest go first).",
  },
  JobsHistorySize: {
    schema: nonNegative,
    default: 10,
    comment: "Finished jobs kept in /jobs.",
  },
  SaveJobs: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Save the jobs in the index, to reload them at the next start (unless --no-jobs): unfinished ones run again.",
  },
  DatabaseServerIdentifier: {
    schema: () => z.string().min(1).optional(),
    default: undefined,
    comment:
      "The identity of this node among those sharing one PostgreSQL index (PostgreSQL.Lock false): its saved jobs are its own. Unset: derived from DicomAet, DicomPort and HttpPort.",
  },
  RestApiWriteToFileSystemEnabled: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "Allow POST /instances/{id}/export to write files where the server runs (any path it may write: keep it off on a server reachable by others).",
  },
  HttpServerEnabled: { schema: () => z.boolean(), default: true, comment: "Serve the REST API." },
  HttpPort: { schema: port, default: 8042, comment: "HTTP port of the REST API." },
  HttpDescribeErrors: {
    schema: () => z.boolean(),
    default: true,
    comment: "Describe errors in the body of HTTP answers (Orthanc's error JSON).",
  },
  HttpCompressionEnabled: {
    schema: () => z.boolean(),
    default: true,
    comment: "Compress HTTP answers with gzip/deflate when the client accepts it.",
  },
  OrthancExplorerEnabled: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Serve the web UI at /ui/app/ (and send / and Orthanc Explorer's page to it); false: 404, as Orthanc.",
  },
  DicomServerEnabled: {
    schema: () => z.boolean(),
    default: true,
    comment: "Serve the DICOM protocol.",
  },
  DicomAet: {
    schema: () => z.string().min(1).max(16),
    default: "ORTHANC",
    comment: "The DICOM AET of this server.",
  },
  DicomPort: { schema: port, default: 4242, comment: "The DICOM port of this server." },
  DefaultEncoding: {
    schema: () => z.enum(ENCODINGS),
    default: "Latin1",
    comment: "Character set assumed when a file has no SpecificCharacterSet.",
  },
  RemoteAccessAllowed: {
    schema: () => z.boolean(),
    default: false,
    comment: "Accept HTTP clients that are not on this machine (loopback).",
  },
  AuthenticationEnabled: {
    // Absent means "as RemoteAccessAllowed" (Orthanc 1.5.8+): see http-security.ts.
    schema: () => z.boolean().optional(),
    default: undefined,
    comment:
      "Require HTTP Basic authentication with one of RegisteredUsers. When absent, it is enabled iff RemoteAccessAllowed is true (then, with no RegisteredUsers, a default user orthanc/orthanc is created and the setup is reported insecure).",
  },
  RegisteredUsers: {
    schema: () => z.record(z.string(), z.string()),
    default: {},
    comment: "Users and passwords for HTTP Basic authentication.",
  },
  SslEnabled: {
    schema: () => z.boolean(),
    default: false,
    comment: "Serve HTTPS instead of HTTP.",
  },
  SslCertificate: {
    schema: () => z.string().min(1),
    default: "certificate.pem",
    comment:
      "PEM file holding both the certificate (with its chain) and the private key of the HTTPS server.",
  },
  SslMinimumProtocolVersion: {
    schema: () => z.number().int().min(0).max(4),
    default: 4,
    comment:
      "Minimum TLS version of HTTPS: 0 SSL2+, 1 SSL3+, 2 TLS 1.0+, 3 TLS 1.1+, 4 TLS 1.2+. Pharos always requires TLS 1.2 or 1.3 (a lower value is logged as not available).",
  },
  SslCiphersAccepted: {
    schema: () => z.array(z.string()).optional(),
    default: undefined,
    comment: "The OpenSSL cipher names HTTPS accepts (TLS 1.2 and below); the library's otherwise.",
  },
  SslVerifyPeers: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "Require HTTPS clients to present a certificate signed by SslTrustedClientCertificates.",
  },
  SslTrustedClientCertificates: {
    schema: () => z.string().min(1),
    default: "trustedClientCertificates.pem",
    comment: "PEM file of the client certificates (or their authorities) HTTPS trusts.",
  },
  KeepAlive: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Keep HTTP connections open between requests (false: every answer closes its connection).",
  },
  DicomTlsEnabled: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "Serve DICOM over TLS on DicomPort (DicomTlsCertificate, DicomTlsPrivateKey and DicomTlsTrustedCertificates are then required).",
  },
  DicomTlsCertificate: {
    schema: () => z.string().min(1).optional(),
    default: undefined,
    comment:
      "PEM certificate of this server for DICOM TLS, as SCP and as SCU (modalities with UseDicomTls).",
  },
  DicomTlsPrivateKey: {
    schema: () => z.string().min(1).optional(),
    default: undefined,
    comment: "PEM private key of DicomTlsCertificate.",
  },
  DicomTlsTrustedCertificates: {
    schema: () => z.string().min(1).optional(),
    default: undefined,
    comment:
      "PEM certificates of the remote modalities (or of their authorities) that DICOM TLS trusts.",
  },
  DicomTlsRemoteCertificateRequired: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Refuse DICOM TLS peers that present no certificate (false: a certificate is checked only when presented).",
  },
  // Read by the REST API only (src/rest).
  QueryRetrieveSize: {
    schema: nonNegative,
    default: 100,
    comment:
      "Maximum number of query/retrieve DICOM requests that are kept. The least recently used requests get deleted as new requests are issued.",
  },
  OverwriteInstances: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "Replace an instance that is received again (else it is kept and reported AlreadyStored).",
  },
  Dictionary: {
    schema: () => z.record(z.string(), z.array(z.union([z.string(), z.number()])).min(2).max(5)),
    default: {},
    comment:
      'Extra tags: "gggg,eeee" : [ VR, Name, MinMultiplicity, MaxMultiplicity, PrivateCreator ].',
  },
  CheckRevisions: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "Require an If-Match header (the ETag) to change or delete existing metadata and attachments.",
  },
  UserMetadata: {
    schema: () => z.record(z.string(), z.number().int().min(1024).max(65535)),
    default: {},
    comment: 'User-defined metadata: "Name" : number (1024 to 65535).',
  },
  UserContentType: {
    schema: () =>
      z.record(
        z.string(),
        z.union([
          z.number().int().min(1024).max(65535),
          z.tuple([z.number().int().min(1024).max(65535), z.string()]),
        ]),
      ),
    default: {},
    comment:
      'User-defined attachments: "name" : number (1024 to 65535), or [ number, "MIME type" ].',
  },
  MaximumStorageMode: {
    schema: () => z.enum(["Recycle", "Reject"]),
    default: "Recycle",
    comment:
      "When the storage is full: delete the oldest unprotected patients (Recycle) or refuse new instances (Reject).",
  },
  LogExportedResources: {
    schema: () => z.boolean(),
    default: false,
    comment: "Record the resources sent to other modalities or peers in /exports.",
  },
  LimitFindResults: {
    schema: () => z.number().int().min(0),
    default: 0,
    comment: "Maximum number of patients, studies or series one find answers (0 means unlimited).",
  },
  LimitFindInstances: {
    schema: () => z.number().int().min(0),
    default: 0,
    comment: "Maximum number of instances one find answers (0 means unlimited).",
  },
  SyncStorageArea: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Flush each stored file to the disk (fsync) before it is indexed, so that a power loss loses no acknowledged file.",
  },
  // The PostgreSQL index (src/index/postgresql), as the section of Orthanc's PostgreSQL plugin.
  PostgreSQL: {
    schema: () =>
      z.looseObject({
        EnableIndex: z.boolean().default(false),
        Host: z.string().min(1).default("localhost"),
        Port: port().default(5432),
        Database: z.string().min(1).default("orthanc_db"),
        Username: z.string().default(""),
        Password: z.string().default(""),
        ConnectionUri: z.string().regex(/^postgres(ql)?:\/\//, "a postgresql:// URI").optional(),
        Lock: z.boolean().default(true),
        EnableSsl: z.boolean().default(false),
        MaximumConnectionRetries: nonNegative().default(10),
        ConnectionRetryInterval: nonNegative().default(5),
        IndexConnectionsCount: z.number().int().min(1).default(1),
      }),
    default: {
      EnableIndex: false,
      Host: "localhost",
      Port: 5432,
      Database: "orthanc_db",
      Username: "",
      Password: "",
      Lock: true,
      EnableSsl: false,
      MaximumConnectionRetries: 10,
      ConnectionRetryInterval: 5,
      IndexConnectionsCount: 1,
    },
    comment:
      'The index in PostgreSQL instead of SQLite: { "EnableIndex", "Host", "Port", "Database", "Username", "Password" } or "ConnectionUri", and "Lock" (false on every node that shares the database), "EnableSsl", "MaximumConnectionRetries", "ConnectionRetryInterval", "IndexConnectionsCount", as in Orthanc\'s PostgreSQL plugin.',
  },
  // The DICOMweb server (src/dicomweb), as the section of Orthanc's DICOMweb plugin.
  DicomWeb: {
    schema: () =>
      z.looseObject({
        Enable: z.boolean().default(true),
        Root: z.string().default("/dicom-web/"),
        EnableWado: z.boolean().default(true),
        WadoRoot: z.string().default("/wado"),
        Host: z.string().optional(),
        Ssl: z.boolean().default(false),
        StudiesMetadata: z.enum(["Full", "MainDicomTags", "Extrapolate"]).default("Full"),
        SeriesMetadata: z.enum(["Full", "MainDicomTags", "Extrapolate"]).default("Full"),
        EnableMetadataCache: z.boolean().default(true),
      }),
    default: {
      Enable: true,
      Root: "/dicom-web/",
      EnableWado: true,
      WadoRoot: "/wado",
      Ssl: false,
      StudiesMetadata: "Full",
      SeriesMetadata: "Full",
      EnableMetadataCache: true,
    },
    comment:
      'The DICOMweb server: { "Enable", "Root", "EnableWado", "WadoRoot", "Host", "Ssl", "StudiesMetadata", "SeriesMetadata", "EnableMetadataCache" } as in Orthanc\'s DICOMweb plugin.',
  },
  // Lua scripting (src/lua).
  LuaScripts: {
    schema: () => z.array(z.string()),
    default: [],
    comment: "Lua scripts to load at startup, relative to the configuration file.",
  },
  ExecuteLuaEnabled: {
    schema: () => z.boolean(),
    default: false,
    comment: "Allow POST /tools/execute-script (off by default, as in Orthanc 1.10.1).",
  },
  LuaHeartBeatPeriod: {
    schema: nonNegative,
    default: 0,
    comment: "Seconds between two calls of the Lua callback OnHeartBeat (0: never).",
  },
  LuaScriptTimeout: {
    schema: () => z.number().int().min(1),
    default: 60,
    comment:
      "Pharos only: seconds after which a Lua script or callback is stopped (Orthanc waits forever).",
  },
  StableAge: {
    schema: () => z.number().int().min(1),
    default: 60,
    comment: "Seconds without a new instance after which a patient, study or series is stable.",
  },
  // The DICOM network (src/dimse): Orthanc's names and defaults.
  DicomCheckCalledAet: {
    schema: () => z.boolean(),
    default: false,
    comment: "Refuse associations whose called AET is not DicomAet.",
  },
  DicomCheckModalityHost: {
    schema: () => z.boolean(),
    default: false,
    comment: "A modality is recognized by its AET and its Host (not only its AET).",
  },
  DicomAlwaysAllowEcho: {
    schema: () => z.boolean(),
    default: true,
    comment: "Answer C-ECHO from modalities not in DicomModalities.",
  },
  DicomAlwaysAllowStore: {
    schema: () => z.boolean(),
    default: true,
    comment: "Accept C-STORE from modalities not in DicomModalities.",
  },
  DicomAlwaysAllowFind: {
    schema: () => z.boolean(),
    default: false,
    comment: "Answer C-FIND from modalities not in DicomModalities.",
  },
  DicomAlwaysAllowFindWorklist: {
    schema: () => z.boolean(),
    default: false,
    comment: "Answer worklist C-FIND from modalities not in DicomModalities.",
  },
  DicomAlwaysAllowGet: {
    schema: () => z.boolean(),
    default: false,
    comment: "Answer C-GET from modalities not in DicomModalities.",
  },
  DicomAlwaysAllowMove: {
    schema: () => z.boolean(),
    default: false,
    comment: "Answer C-MOVE from modalities not in DicomModalities.",
  },
  DicomModalities: {
    schema: () =>
      z.record(
        z.string(),
        z.union([
          z.array(z.union([z.string(), z.number()])).min(3).max(4),
          z.looseObject({
            AET: z.string(),
            Host: z.string(),
            Port: z.union([z.number(), z.string()]),
          }),
        ]),
      ),
    default: {},
    comment:
      'Known DICOM nodes: "name" : [ "AET", "host", port ] or { "AET", "Host", "Port", "AllowStore", ... }.',
  },
  DicomModalitiesInDatabase: {
    schema: () => z.boolean(),
    default: false,
    comment: "Keep the modalities defined through the REST API in the index (else in memory).",
  },
  OrthancPeers: {
    schema: () =>
      z.record(
        z.string(),
        z.union([z.array(z.union([z.string(), z.number()])), z.looseObject({})]),
      ),
    default: {},
    comment:
      'Known Orthanc peers: "name" : [ "url" ], [ "url", "user", "password" ] or { "Url", "Username", "Password", "HttpHeaders", "CertificateFile", "CertificateKeyFile", "CertificateKeyPassword", "Timeout" }.',
  },
  OrthancPeersInDatabase: {
    schema: () => z.boolean(),
    default: false,
    comment: "Keep the peers defined through the REST API in the index (else in memory).",
  },
  HttpTimeout: {
    schema: nonNegative,
    default: 60,
    comment: "Seconds Pharos waits for the answer of an HTTP request to a peer (0: forever).",
  },
  HttpProxy: {
    schema: () => z.string(),
    default: "",
    comment:
      'HTTP proxy of the requests to peers and DICOMweb servers and of Lua\'s HttpGet…: "host:port" or "user:password@host:port" (empty: none).',
  },
  HttpVerbose: {
    schema: () => z.boolean(),
    default: false,
    comment: "Log each outgoing HTTP request and its outcome (category http, at info level).",
  },
  HttpsVerifyPeers: {
    schema: () => z.boolean(),
    default: true,
    comment: "Check the certificate of the peers reached over HTTPS.",
  },
  HttpsCACertificates: {
    schema: () => z.string(),
    default: "",
    comment:
      "PEM file of the authorities HttpsVerifyPeers trusts (empty: the system's authorities).",
  },
  DicomScpTimeout: {
    schema: nonNegative,
    default: 30,
    comment: "Seconds of silence after which an incoming association is aborted (0: never).",
  },
  DicomScuTimeout: {
    schema: nonNegative,
    default: 10,
    comment: "Seconds Pharos waits for a remote modality when it is the SCU (0: forever).",
  },
  MaximumPduLength: {
    schema: () => z.number().int().min(4096).max(131072),
    default: 16384,
    comment: "Maximum PDU length of the DICOM associations.",
  },
  AcceptedTransferSyntaxes: {
    schema: () => z.union([z.string(), z.array(z.string())]),
    default: ["1.2.840.10008.1.*"],
    comment: "Transfer syntaxes the C-STORE SCP accepts (UIDs, * and ? wildcards).",
  },
  UnknownSopClassAccepted: {
    schema: () => z.boolean(),
    default: false,
    comment: "Accept C-STORE of SOP classes that are not known storage classes.",
  },
  StrictAetComparison: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "Compare AETs case-sensitively (by default, Orthanc compares them case-insensitively).",
  },
  CaseSensitivePN: {
    schema: () => z.boolean(),
    default: false,
    comment:
      "C-FIND SCP: match PN values (such as PatientName) case-sensitively; by default the search is case-insensitive, which does not follow the DICOM standard.",
  },
  DeflatedTransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the Deflated transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  JpegTransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the JPEG transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  Jpeg2000TransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the JPEG 2000 transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  JpegLosslessTransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the JPEG lossless transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  JpipTransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the JPIP transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  Mpeg2TransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the MPEG-2 transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  RleTransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the RLE transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  Mpeg4TransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the MPEG-4 transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  H265TransferSyntaxAccepted: {
    schema: () => z.boolean(),
    default: true,
    comment:
      "Accept the H.265 transfer syntaxes (a group enabled or disabled at once, applied after AcceptedTransferSyntaxes).",
  },
  Worklists: {
    schema: () =>
      z.looseObject({
        Enable: z.boolean().optional(),
        Database: z.string().optional(),
        Directory: z.string().optional(),
        FilterIssuerAet: z.boolean().optional(),
        LimitAnswers: nonNegative().optional(),
      }),
    default: { Enable: false, Database: "", FilterIssuerAet: false, LimitAnswers: 0 },
    comment:
      'Modality worklists, as Orthanc\'s worklist plugin reads them: "Enable", "Database" (folder of .wl files; "Directory" is the newer name), "FilterIssuerAet", "LimitAnswers" (0: no limit).',
  },
  WebDavEnabled: {
    schema: () => z.boolean(),
    default: true,
    comment: "Serve Orthanc's WebDAV share at /webdav/ (plugin collections are always served).",
  },
  WebDavDeleteAllowed: {
    schema: () => z.boolean(),
    default: false,
    comment: "Whether deleting through the WebDAV share deletes the DICOM resources.",
  },
  WebDavUploadAllowed: {
    schema: () => z.boolean(),
    default: true,
    comment: "Whether files written into /webdav/uploads/ are imported.",
  },
} satisfies Record<string, OptionSpec>;
