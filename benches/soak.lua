-- wrk: the soak's mixed load (benches/soak.sh). Per request, at random:
--   70% GET /api/v1/users/:id of a seeded user
--   15% GET /api/v1/users?s=<term> (terms of 3+ characters from the seed's names)
--   10% PUT /api/v1/users (a new user: one argon2id hash each)
--    5% POST /api/v1/users/:id (a new display name for a seeded user)
-- ROSTER_SOAK_TOKEN is an admin's token, ROSTER_SOAK_USERS the number of seeded users.
local token = os.getenv("ROSTER_SOAK_TOKEN")
local users = tonumber(os.getenv("ROSTER_SOAK_USERS"))
local terms = {"garcia", "lindqvist", "mar", "sen", "anna", "gmail", "berg", "zyqvorn", "lopes", "kim"}
local threads = {}
local counter = 0

setup = function(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

init = function(args)
  -- Distinct per thread and per run, so new usernames never collide.
  math.randomseed(os.time() * 100 + number)
  prefix = string.format("soak%d%x", number, os.time())
  headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
end

request = function()
  local pick = math.random(100)
  if pick <= 70 then
    return wrk.format("GET", "/api/v1/users/" .. math.random(users), headers)
  elseif pick <= 85 then
    return wrk.format("GET", "/api/v1/users?s=" .. terms[math.random(#terms)], headers)
  elseif pick <= 95 then
    counter = counter + 1
    local name = prefix .. "n" .. counter
    return wrk.format("PUT", "/api/v1/users", headers, string.format(
      '{"username":"%s","email":"%s@soak.example.net","name":"Soak %d","password":"plum-kayak-41-zebra"}',
      name, name, counter))
  else
    return wrk.format("POST", "/api/v1/users/" .. math.random(2, users), headers,
      string.format('{"name":"Renamed %d"}', math.random(1000000)))
  end
end

dofile(os.getenv("ROSTER_BENCH_DIR") .. "/report.lua")
