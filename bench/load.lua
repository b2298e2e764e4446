-- wrk script of bench/load.py: each request asks for a path drawn at random from a file of
-- paths (one a line), and the responses are counted by status, printed as "status CODE COUNT"
-- lines at the end. Arguments after "--": the file of paths, then a seed.

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
  math.randomseed(tonumber(args[2] or "1") * 1000 + thread_number)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d %d\n", status, count))
  end
end
