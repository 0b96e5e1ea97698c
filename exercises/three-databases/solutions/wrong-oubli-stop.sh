$ docker run -d --name mongo mongo
5b1f0e3c2d4a
$ docker run -d --name redis redis
9e38f6e91034
$ docker run -d --name postgres postgres
1c2d3e4f5a6b
$ docker container ls -a
$ docker logs postgres
Error: Database is uninitialized and superuser password is not specified.
$ docker rm postgres
postgres
$ docker run -d --name postgres -e POSTGRES_PASSWORD=secret postgres
7a8b9c0d1e2f
$ docker container ls
$ docker system prune -a -f
Total reclaimed space: 0B
