-- wrk script of bench/load.py: each request asks for a path drawn at random from a file of
-- paths (one a line), and the responses are counted by status, printed as "status CODE COUNT"
-- lines at the end, with the number of distinct paths asked (junk aside) as "distinct COUNT". Arguments after "--": the file of paths, a seed, and the share of requests
-- (0 to 1, none by default) that carry a random parameter no page reads, as trackers add them.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  statuses = {}
  asked = {}
  junk_share = tonumber(args[3] or "0")
  math.randomseed(tonumber(args[2] or "1") * 1000 + thread_number)
end

local junk_names = {"utm_source", "utm_campaign", "fbclid", "gclid", "ref"}
local junk_letters = "abcdefghijklmnopqrstuvwxyz0123456789"

local function junk_value()
  local letters = {}
  for i = 1, 12 do
    local at = math.random(#junk_letters)
    letters[i] = junk_letters:sub(at, at)
  end
  return table.concat(letters)
end

function request()
  local path = paths[math.random(#paths)]
  asked[path] = true
  if junk_share > 0 and math.random() < junk_share then
    local separator = path:find("?", 1, true) and "&" or "?"
    path = path .. separator .. junk_names[math.random(#junk_names)] .. "=" .. junk_value()
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  local distinct_paths = {}
  local distinct = 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
    for path, _ in pairs(thread:get("asked")) do
      if not distinct_paths[path] then
        distinct_paths[path] = true
        distinct = distinct + 1
      end
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d %d\n", status, count))
  end
  io.write(string.format("distinct %d\n", distinct))
end
