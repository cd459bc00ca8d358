from credgraph.cli import main

main()
