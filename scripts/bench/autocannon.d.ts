// The part of autocannon 8 that scripts/bench uses (the package ships no types).
declare module "autocannon" {
  type Histogram = { recordValue(v: number): void };
  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** autocannon's own histograms; `latencies` receives every 2xx latency in milliseconds */
    histograms?: { latencies?: Histogram };
  };
  type Result = { "2xx": number; non2xx: number; errors: number; timeouts: number; requests: { average: number } };
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
