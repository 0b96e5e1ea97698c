docker run -d --name redis redis
docker run -it redis redis-cli set cle 42
