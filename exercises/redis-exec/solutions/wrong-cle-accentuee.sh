$ docker run -d --name redis redis
d87afef9e736f80d927d21928c3311a6939eb0ff72e97214f4c665cbabec67f0
$ docker exec redis redis-cli set clé 42
OK
$ docker exec redis redis-cli get clé
"42"
