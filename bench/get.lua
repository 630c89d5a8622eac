-- GET load for `make bench`: cycles through the paths in a data file (one per line), one request each.
-- wrk -t1 ... -s bench/get.lua URL -- <paths file> [plain|htmx|gzip] [csrftoken cookie]
-- The cookie makes each request a returning browser's (one that already holds its CSRF cookie).
local requests, n, i = {}, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local headers = {}
  if args[2] == "htmx" then headers["HX-Request"] = "true" end
  if args[2] == "gzip" then headers["Accept-Encoding"] = "gzip" end
  if args[3] then headers["Cookie"] = "csrftoken=" .. args[3] end
  for path in io.lines(args[1]) do
    if path ~= "" then
      n = n + 1
      requests[n] = wrk.format("GET", path, headers)
    end
  end
end

function request()
  i = i % n + 1
  return requests[i]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non_2xx_3xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
