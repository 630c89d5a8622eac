-- POST load for `make bench`: one thread (-t1) so a single counter orders every request.
-- wrk -t1 ... -s bench/post.lua URL -- <data file> <form|htmx|json> <ok status> <location prefix|-> <csrf> <origin> <tag>
-- Data file: "path<TAB>body" per line; the body may hold {version} and {idem}. Request j goes to line j % n + 1
-- with version floor(j / n): each seeded assessment starts at version 0 and every accepted write bumps it by one,
-- so every request carries the version it must (a stale one would be a 409, counted as a failure).
-- Each request gets a unique idem. Responses are counted: ok (the expected status and Location), other 2xx/3xx,
-- 409 and other 4xx, 5xx.
local lines, n, j = {}, 0, 0
local headers, tag, ok_status, prefix = {}, "", 0, nil
ok, other, conflict, client_error, server_error = 0, 0, 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local path, body = line:match("^([^\t]+)\t(.*)$")
    if path then
      n = n + 1
      lines[n] = {path, body}
    end
  end
  local mode = args[2]
  ok_status = tonumber(args[3])
  if args[4] ~= "-" then prefix = args[4] end
  if mode == "json" then
    headers["Content-Type"] = "application/json"
  else
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Cookie"] = "csrftoken=" .. args[5]
  end
  if mode == "htmx" then headers["HX-Request"] = "true" end
  headers["Origin"] = args[6]
  tag = args[7]
end

function request()
  local line = lines[j % n + 1]
  local version = math.floor(j / n)
  j = j + 1
  local body = line[2]:gsub("{version}", tostring(version)):gsub("{idem}", tag .. "-" .. j)
  return wrk.format("POST", line[1], headers, body)
end

function response(status, hdrs, _)
  if status == ok_status then
    local location = hdrs["location"] or hdrs["Location"] or hdrs["hx-redirect"] or ""
    if prefix == nil or location:sub(1, #prefix) == prefix then ok = ok + 1 else other = other + 1 end
  elseif status == 409 then conflict = conflict + 1
  elseif status >= 500 then server_error = server_error + 1
  elseif status >= 400 then client_error = client_error + 1
  else other = other + 1 end
end

function done(summary, latency, _)
  local c = {ok = 0, other = 0, conflict = 0, client_error = 0, server_error = 0}
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do c[k] = c[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non_2xx_3xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"ok":%d,"other_2xx_3xx":%d,"conflict_409":%d,"other_4xx":%d,"server_5xx":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    c.ok, c.other, c.conflict, c.client_error, c.server_error))
end
