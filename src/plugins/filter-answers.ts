// The answers HTTP filters give in place of a refusal (an onIncomingHttpRequest filter that
// answers a Response): the hook registry sees a refusal, and the middleware sends the filter's
// own answer instead of Orthanc's bare 403. Kept per request, only until the middleware takes it.
export class FilterAnswers {
  private readonly answers = new WeakMap<object, Response>();

  set(request: object, answer: Response): void {
    this.answers.set(request, answer);
  }

  take(request: object): Response | undefined {
    const answer = this.answers.get(request);
    this.answers.delete(request);
    return answer;
  }
}
