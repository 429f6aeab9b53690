#!/usr/bin/env python3
# Times the file and render methods through a running daemon (issue 5).
# Usage: cd DATA_DIR (holding menger.vox) && bench/files/files_bench.py SOCKET
# Prints the client-side median/min and the daemon-reported time per call.
import socket,json,time,sys,statistics
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f=s.makefile('rwb')
def call(m,p=None):
    r={"jsonrpc":"2.0","id":1,"method":m}
    if p is not None: r["params"]=p
    t=time.perf_counter(); f.write((json.dumps(r)+"\n").encode()); f.flush(); line=f.readline(); dt=(time.perf_counter()-t)*1000
    d=json.loads(line); assert 'result' in d, line[:300]; return dt,d['result']
def bench(name,m,p,n=10):
    ts=[];inner=[]
    for i in range(n):
        dt,r=call(m,p); ts.append(dt)
        for k in ('load_time_ms','save_time_ms','render_time_ms','export_time_ms'):
            if k in r: inner.append(r[k])
    print("%-34s median %7.1f ms  min %7.1f  (daemon-side median %s)"%(name,statistics.median(ts),min(ts),"%.1f"%statistics.median(inner) if inner else "-"))
bench("load_project menger.vox","goxel.load_project",["menger.vox"])
bench("save_project menger (.gox)","goxel.save_project",["m.gox"])
bench("load_project menger .gox","goxel.load_project",["m.gox"])
bench("render_scene 512 iso -> file","goxel.render_scene",{"path":"r.png"})
bench("render_scene 512 iso -> base64","goxel.render_scene",{})
bench("render_scene 512 persp+AO+shadow","goxel.render_scene",{"path":"r2.png","projection":"perspective","ambient_occlusion":True,"shadows":True},5)
for fmt in ["obj","ply","stl","gltf","glb","vox","qb","txt"]:
    bench("export "+fmt,"goxel.export_model",{"path":"e."+fmt},3)
