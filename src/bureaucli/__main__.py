from bureaucli.cli import main

main()
