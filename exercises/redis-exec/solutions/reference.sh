docker run -d --name redis redis
docker exec redis redis-cli set cle 42
docker exec redis redis-cli get cle
