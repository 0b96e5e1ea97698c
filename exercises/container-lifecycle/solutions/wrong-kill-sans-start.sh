$ docker container create --name cycle alpine ping 127.0.0.1
25ce86f0edead3d3eeece53ae8f31225648b7fbbe94d8a7d539988bfbf6e386f
$ docker container start cycle
cycle
$ docker container pause cycle
cycle
$ docker container unpause cycle
cycle
$ docker container stop cycle
cycle
$ docker container rename cycle cycle2
$ docker container kill cycle2
Error response from daemon: Cannot kill container: cycle2: container 25ce86f0edea is not running
