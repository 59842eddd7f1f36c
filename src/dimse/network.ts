// The DICOM network of one Pharos: the modalities, the SCP's settings that REST can change, the
// SCP composed of its services (scp.ts) on the DICOM port, and what the SCU client needs.
import type { Configuration } from "../config/schema.ts";
import type { Encoding } from "../dicom/charsets.ts";
import type { Transcoders } from "../imaging/transcoders.ts";
import type { PharosCore } from "../server/core.ts";
import type { JobRegistry } from "../server/jobs.ts";
import { OrthancError } from "../server/errors.ts";
import { startScp } from "./adapter/server.ts";
import type { AssociationPolicy } from "./association.ts";
import type { ScuContext } from "./client.ts";
import { type Modality, ModalityRegistry, peerOf } from "./modalities.ts";
import { acceptedTransferSyntaxes } from "./policy.ts";
import { type DicomServices, scpHandlers } from "./scp.ts";
import { type CommitmentJudge, commitmentService, indexJudge } from "./services/commitment.ts";
import { echoService } from "./services/echo.ts";
import { findService } from "./services/find.ts";
import { withFindFilters } from "./find-filters.ts";
import { getService } from "./services/get.ts";
import { moveService } from "./services/move.ts";
import { storeService } from "./services/store.ts";
import { worklistService, type WorklistSettings, worklistSettings } from "./services/worklist.ts";
import { CommitmentReports } from "./storage-commitment.ts";
import type { DicomTls, DimseServer, Peer } from "./types.ts";
import { dicomTlsMaterial } from "../config/tls.ts";

export class DicomNetwork implements ScuContext {
  readonly modalities: ModalityRegistry;
  /** /tools/accepted-transfer-syntaxes and /tools/unknown-sop-class-accepted change these. */
  acceptedSyntaxes: Set<string>;
  unknownSopClassAccepted: boolean;
  readonly worklists: WorklistSettings;
  /** Storage commitment requests sent by Pharos (/storage-commitment/{id}). */
  readonly commitments = new CommitmentReports();
  /**
   * The provider of each service the SCP offers, looked up at each request: plugins wrap some
   * (src/plugins/dimse-services.ts).
   */
  readonly services: DicomServices;
  /** Which instances a storage commitment request gets committed; plugins may replace it. */
  commitmentJudge: CommitmentJudge;
  /** The DICOM TLS material, read at construction so that a bad file stops the start. */
  private readonly tls: DicomTls | undefined;
  private server?: DimseServer;

  constructor(
    private readonly core: PharosCore,
    private readonly config: Configuration,
    /** What sends fall back on for a peer that accepts none of the stored syntaxes. */
    readonly transcoders: Transcoders,
    /** Where the storage commitment reports run (their StorageCommitmentScp jobs). */
    jobs: Pick<JobRegistry, "submit">,
  ) {
    this.tls = dicomTlsMaterial(config);
    this.modalities = new ModalityRegistry(config, core.properties);
    this.acceptedSyntaxes = acceptedTransferSyntaxes(config.AcceptedTransferSyntaxes, config);
    this.unknownSopClassAccepted = config.UnknownSopClassAccepted;
    this.worklists = worklistSettings(config);
    this.commitmentJudge = indexJudge(core);
    const destinations = {
      byAet: (aet: string) => this.modalities.byAet(aet),
      peerOf: (modality: Modality) => this.peerOf(modality),
    };
    const filters = {
      hooks: core.hooks,
      defaultEncoding: () => core.defaultEncoding,
      manufacturerOf: (aet: string) => this.modalities.byAet(aet)?.Manufacturer ?? "Generic",
    };
    this.services = {
      echo: echoService,
      store: storeService(core),
      find: withFindFilters(findService(core, config), "incomingFindRequest", filters),
      worklist: withFindFilters(
        worklistService(this.worklists, core, config),
        "incomingWorklistRequest",
        filters,
      ),
      move: moveService(core, destinations, transcoders),
      get: getService(core, destinations, transcoders),
      commitment: commitmentService(
        config,
        destinations,
        this.commitments,
        () => this.commitmentJudge,
        (job) => jobs.submit(job),
      ),
    };
  }

  get defaultEncoding(): Encoding {
    return this.core.defaultEncoding;
  }

  get port(): number | undefined {
    return this.server?.port;
  }

  async start(): Promise<number> {
    const access = {
      policy: () => this.policy(),
      modalities: () => this.modalities.all(),
    };
    this.server = await startScp(scpHandlers(access, this.services), {
      port: this.config.DicomPort,
      timeoutSeconds: this.config.DicomScpTimeout,
      maxPduLength: this.config.MaximumPduLength,
      tls: this.config.DicomTlsEnabled ? this.tls : undefined,
    });
    return this.server.port;
  }

  stop(): void {
    this.server?.close();
    this.server = undefined;
  }

  /** The association policy as configured, with the settings REST may have changed. */
  private policy(): AssociationPolicy {
    const c = this.config;
    return {
      dicomAet: c.DicomAet,
      checkCalledAet: c.DicomCheckCalledAet,
      strictAetComparison: c.StrictAetComparison,
      checkModalityHost: c.DicomCheckModalityHost,
      alwaysAllow: {
        Echo: c.DicomAlwaysAllowEcho,
        Store: c.DicomAlwaysAllowStore,
        Find: c.DicomAlwaysAllowFind,
        FindWorklist: c.DicomAlwaysAllowFindWorklist,
        Move: c.DicomAlwaysAllowMove,
        Get: c.DicomAlwaysAllowGet,
      },
      acceptedSyntaxes: this.acceptedSyntaxes,
      unknownSopClassAccepted: this.unknownSopClassAccepted,
      worklistsEnabled: this.worklists.enabled,
    };
  }

  peerOf(modality: Modality): Peer {
    return peerOf(modality, this.config, this.tls);
  }

  /** The modality of a REST id, or Orthanc's error for an unknown one. */
  modality(id: string): Modality {
    const m = this.modalities.get(id);
    if (!m) throw new OrthancError("InexistentItem", `No modality with symbolic name: ${id}`);
    return m;
  }
}
