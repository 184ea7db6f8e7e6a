-- wrk: POST /api/v1/login as the benchmark's user, plus the RESULT line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"user0000005","password":"plum-kayak-41-zebra"}'
dofile(os.getenv("ROSTER_BENCH_DIR") .. "/report.lua")
