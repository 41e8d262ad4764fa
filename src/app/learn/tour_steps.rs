//! The tour's steps (what to do, the key, the command line it stands for)
//! and where the learner is in them.

use crate::app::core::command::JobId;
use crate::app::core::pane::Pane;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tour {
    /// The panel is shown and steps advance.
    pub active: bool,
    /// Started at least once (so `:tour` resumes rather than restarts).
    pub started: bool,
    pub step: usize,
    /// Jobs from before the tour do not count for it.
    pub first_job: JobId,
    /// What the learner built and deployed, learned as the steps complete.
    pub image: Option<String>,
    pub deployment: Option<(String, String)>,
    /// The Deployments (namespace, name) the applies sent during the tour named.
    pub applied: Vec<(String, String)>,
    /// A pod of the tour's Deployment was seen failing (the "When it breaks" step).
    pub broken: bool,
    pub finished: bool,
}

pub struct Step {
    pub title: &'static str,
    /// What the step does and why, in a few sentences.
    pub about: &'static str,
    /// Which key does it, and where.
    pub key: &'static str,
    /// The command line it stands for.
    pub command: &'static str,
    /// The pane the step happens in.
    pub pane: Pane,
}

pub const STEPS: [Step; 13] = [
    Step {
        title: "The engine",
        about: "Docker builds images and runs containers. The header shows which engine pilothouse talks to, its version and where it came from (DOCKER_HOST, a docker context, minikube's docker-env).",
        key: "1: the Containers pane; the step is done when the engine answers",
        command: "docker ps",
        pane: Pane::Containers,
    },
    Step {
        title: "The Dockerfile",
        about: "A Dockerfile is the recipe of an image: a base (FROM), the files (COPY), the setup (RUN pip install) and what starts (ENTRYPOINT, CMD). Without one, b offers to write one for a Python/Flask app.",
        key: "b: build; the form names the directory and the Dockerfile",
        command: "cat Dockerfile",
        pane: Pane::Images,
    },
    Step {
        title: "The image",
        about: "docker build runs the recipe step by step and tags the result. The Jobs pane streams each step; the Images pane lists the image with its tag, ID and size.",
        key: "b, then enter; watch it in 3 (Jobs)",
        command: "docker build -t cookbook .",
        pane: Pane::Jobs,
    },
    Step {
        title: "The container",
        about: "A container is a running image. -p publishes a container port on your machine so a browser can reach it; o opens it.",
        key: "r on the image in 2 (Images), then enter",
        command: "docker run -d -p 8000:8000 cookbook:latest",
        pane: Pane::Images,
    },
    Step {
        title: "The Deployment",
        about: "Kubernetes runs pods, not containers you start by hand. A Deployment says which image and how many copies; the cluster keeps that many running. imagePullPolicy: Never uses the image already in the cluster's engine.",
        key: "5 (Deployments), a, enter: apply the manifest",
        command: "kubectl apply --server-side -f cookbook-deployment.yaml",
        pane: Pane::Deployments,
    },
    Step {
        title: "READY",
        about: "READY is ready pods / wanted pods. UP-TO-DATE counts pods of the current template, AVAILABLE those ready long enough to serve. A pod goes Pending, ContainerCreating, Running.",
        key: "wait; enter on the deployment shows its pods",
        command: "kubectl get deployments",
        pane: Pane::Deployments,
    },
    Step {
        title: "The Service",
        about: "Pods come and go with new addresses; a Service is one stable name and port in front of them. Type LoadBalancer also opens a NodePort on every node.",
        key: "x on the deployment, enter",
        command: "kubectl expose deployment cookbook-recipe --type=LoadBalancer --port=8000",
        pane: Pane::Deployments,
    },
    Step {
        title: "NodePort and <pending>",
        about: "EXTERNAL-IP stays <pending> until something hands out an address: on a cloud, its load balancer; on minikube, `minikube tunnel`. Meanwhile the NodePort (8000:3xxxx) answers on the node's address, and o opens it (minikube service --url on minikube).",
        key: "7 (Services), o on the service",
        command: "minikube service cookbook-recipe --url",
        pane: Pane::Services,
    },
    Step {
        title: "Scaling",
        about: "Ask for three copies and the Deployment's ReplicaSet starts two more pods; the Service spreads requests over all three. + and - change it by one.",
        key: "s on the deployment, 3, enter",
        command: "kubectl scale --replicas=3 deployment/cookbook-recipe",
        pane: Pane::Deployments,
    },
    Step {
        title: "When it breaks",
        about: "Break it on purpose: ask for an image the cluster's engine does not have. The new pod waits in ErrImageNeverPull, the old ones keep serving, and the line under the selected row says why and what fixes it. Then go back: h lists the revisions, enter rolls back to the one that worked.",
        key: "5, :image cookbook:missing; 6 to read why; 5, h, enter on the last good revision",
        command: "kubectl set image deployment/cookbook-recipe '*=cookbook:missing' && kubectl rollout undo deployment/cookbook-recipe",
        pane: Pane::Deployments,
    },
    Step {
        title: "The dev loop",
        about: "Now change the app and see it run: w watches it, and each save rebuilds the image, tags it uniquely, replaces the container and rolls the Deployment to the new build. The Dev section atop Jobs times every stage.",
        key: "w, then save a file of the app (run.py)",
        command: "docker build -t cookbook:latest . && kubectl set image deployment/cookbook-recipe cookbook-recipe=cookbook:dev-ID",
        pane: Pane::Jobs,
    },
    Step {
        title: "Cloud Run and $PORT",
        about: "Cloud Run runs the same image without a cluster. It sends traffic to the port in $PORT (8080 unless set), so an app listening elsewhere never answers: pilothouse warns before the deploy.",
        key: "9 (Cloud Run), s for the settings, D to deploy",
        command: "gcloud builds submit --tag IMAGE . && gcloud run deploy cookbook --image IMAGE --region R --allow-unauthenticated",
        pane: Pane::Cloud,
    },
    Step {
        title: "The workflow",
        about: "A GitHub Actions workflow repeats the deploy on every push: tests first, then build, push and deploy. It needs repository secrets, which the Cloud pane lists.",
        key: "W, enter: writes .github/workflows/deploy.yml",
        command: "cat .github/workflows/deploy.yml",
        pane: Pane::Cloud,
    },
];
