$ docker run --name alpine1 alpine touch /root/test
$ docker run --name alpine2 alpine ls /root
$ docker container diff alpine1
C /root
A /root/test
