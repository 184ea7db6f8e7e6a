-- wrk: POST /api/v1/login as the benchmark's admin, plus the RESULT line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"benchadmin","password":"plum-kayak-41-zebra"}'
dofile(os.getenv("ROSTER_BENCH_DIR") .. "/report.lua")
