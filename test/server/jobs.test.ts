// The jobs registry's resubmission (Orthanc's Reset) and deletion from the history (1.12).
import { expect, test } from "bun:test";
import { type Job, JobRegistry, type SteppedJob } from "../../src/server/jobs.ts";
import { OrthancError } from "../../src/server/errors.ts";

/** A job that fails its first run and succeeds once reset. */
function flaky(): SteppedJob & { runs: number } {
  let attempt = 0;
  const job = {
    runs: 0,
    step: () => {
      job.runs++;
      if (attempt === 0) return Promise.reject(new OrthancError("NetworkProtocol", "no peer"));
      return Promise.resolve("success" as const);
    },
    stop: () => Promise.resolve(),
    update: (_: Job) => {},
    serialize: () => undefined,
    reset: () => {
      attempt++;
    },
  };
  return job;
}

test("a failed job is resubmitted from its start and can then succeed", async () => {
  const jobs = new JobRegistry(1, 10);
  const stepped = flaky();
  const job = jobs.submit({ type: "Flaky", stepped });
  await job.done;
  expect(job.state).toBe("Failure");
  expect(job.errorDetails).toBe("no peer");
  jobs.resubmit(job.id);
  expect(job.errorCode).toBe(0);
  await jobs.get(job.id)!.done;
  expect(job.state).toBe("Success");
  expect(stepped.runs).toBe(2);
  // A successful job cannot be resubmitted (Orthanc's 400 at the REST API).
  expect(() => jobs.resubmit(job.id)).toThrow("Cannot resubmit a job that has not failed");
  expect(job.state).toBe("Success");
});

test("a job that cannot be reset is not resubmitted", async () => {
  const jobs = new JobRegistry(1, 10);
  const { reset: _, ...noReset } = flaky();
  const job = jobs.submit({ type: "NoReset", stepped: noReset });
  await job.done;
  expect(() => jobs.resubmit(job.id)).toThrow("cannot be resubmitted");
});

test("only a completed job leaves the history", async () => {
  const jobs = new JobRegistry(1, 10);
  let release!: () => void;
  const blocked: SteppedJob = {
    step: () => new Promise((resolve) => (release = () => resolve("success"))),
    stop: () => Promise.resolve(),
    update: () => {},
    serialize: () => undefined,
  };
  const job = jobs.submit({ type: "Blocked", stepped: blocked });
  while (job.state !== "Running") await new Promise((r) => setTimeout(r, 1));
  expect(() => jobs.remove(job.id)).toThrow("cancel it first");
  release();
  await job.done;
  jobs.remove(job.id);
  expect(jobs.get(job.id)).toBeUndefined();
  expect(() => jobs.remove(job.id)).toThrow();
});
