// The GraphQL playground, bundled so that it works without internet:
// GraphiQL from npm, served from this origin like the explorer.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import React from "react";
import { createRoot } from "react-dom/client";

const token = sessionStorage.getItem("kolgraph.token");
const fetcher = createGraphiQLFetcher({ url: "/query" });

createRoot(document.getElementById("graphiql")!).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultHeaders: token ? JSON.stringify({ Authorization: "Bearer " + token }, null, 2) : undefined,
    defaultQuery: "# kolgraph: see the README's tour of the API.\n{ hospitals(first: 3) { totalCount edges { node { id name city } } } }\n",
  }),
);
