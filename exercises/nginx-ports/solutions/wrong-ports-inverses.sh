user@host:~$ docker run -d --name web -p 80:8081 nginx
6f0e2b0d7a1c4b3e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e
user@host:~$ docker port web
8081/tcp -> 0.0.0.0:80
