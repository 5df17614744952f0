"""kernel-ready-wait: what waiting for a started kernel costs, jupyter_client's wait_for_ready (drains IOPub until
0.2 s of silence) against nbrunner/ready.py, each timed on a kernel already up (so only the wait itself counts).

    docker run --rm --network none -v "$PWD/bench/kernel-ready-wait.py:/r.py:ro" --entrypoint python3 IMAGE /r.py
"""
import asyncio, time, sys
from nbrunner.kernel_boot import launch_kernel, kill_kernel
from nbrunner import ready

async def one(new):
    km = await launch_kernel("/tmp/w", stdout_fd=sys.stderr.fileno())
    kc = km.client(); kc.start_channels()
    # first wait until the kernel answers at all (both ways), then time a second readiness wait alone
    await ready.wait_for_ready(kc, km, timeout=60)
    t = time.monotonic()
    if new:
        await ready.wait_for_ready(kc, km, timeout=60)
    else:
        await kc.wait_for_ready(timeout=60)
    dt = (time.monotonic() - t) * 1000
    kc.stop_channels(); kill_kernel(km)
    return dt

async def main():
    res = {"jupyter_client wait_for_ready": [], "nbrunner.ready": []}
    for _ in range(5):
        res["jupyter_client wait_for_ready"].append(await one(False))
        res["nbrunner.ready"].append(await one(True))
    for k, v in res.items():
        v.sort(); print(f"{k}: median {v[len(v)//2]:.0f} ms on a kernel already up ({', '.join(f'{x:.0f}' for x in v)})")
asyncio.run(main())
