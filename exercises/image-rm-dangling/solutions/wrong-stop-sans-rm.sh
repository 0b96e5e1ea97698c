jean@portable:~$ docker run --name redis -d redis
0aa1bb2cc3dd4ee5ff6007118229330aa1bb2cc3dd4ee5ff6007118229330aa1
jean@portable:~$ docker image rm redis
Error response from daemon: conflict: unable to remove repository reference "redis" (must force) - container 0aa1bb2cc3dd is using its referenced image bd571e6529f3
jean@portable:~$ docker image rm -f redis
Untagged: redis:latest
jean@portable:~$ docker images
REPOSITORY   TAG       IMAGE ID       CREATED      SIZE
<none>       <none>    bd571e6529f3   8 days ago   104MB
jean@portable:~$ docker stop redis
redis
jean@portable:~$ docker image prune
WARNING! This will remove all dangling images.
Are you sure you want to continue? [y/N] y
Total reclaimed space: 0B
jean@portable:~$ docker images
REPOSITORY   TAG       IMAGE ID       CREATED      SIZE
<none>       <none>    bd571e6529f3   8 days ago   104MB
