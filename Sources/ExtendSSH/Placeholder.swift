// ssh
