$ docker run -d --name pinger alpine ping 127.0.0.1
35934c147b56
$ sleep 2
$ docker logs pinger
PING 127.0.0.1 (127.0.0.1): 56 data bytes
64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.050 ms
$ docker image inspect alpine
$ docker stats --no-stream
$ docker system df -v
